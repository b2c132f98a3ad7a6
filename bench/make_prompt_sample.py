"""Make resources/prompts/prompt_sample.csv: a pinned sample of human-written prompts with
their reference responses, and both lengths in Llama 3 tokens. Runs offline.

    python bench/make_prompt_sample.py SOURCE.jsonl GGUF OUT.csv \
        --format self-instruct --source "yizhongw/self-instruct@<commit>:<path>"

SOURCE.jsonl is one of:
- ``self-instruct``: human_eval/user_oriented_instructions.jsonl of yizhongw/self-instruct
  (252 expert-written tasks, one instance each); prompt = instruction, a blank line, then
  the instance's input when there is one; response = the instance's output; category = the
  ``motivation_app`` the task was written for.
- ``dolly``: databricks-dolly-15k.jsonl; prompt = instruction, a blank line, then context
  when there is one; response = ``response``; category = ``category``.

GGUF is llama.cpp's vocab-only ``models/ggml-vocab-llama-bpe.gguf`` (the Llama 3 BPE
tokenizer; it ships in the llama-cpp-python sdist under vendor/llama.cpp/models/). Its 128,000
BPE ranks and 256 special tokens are read with the ``gguf`` package and run by ``tiktoken``
with Llama 3's pre-tokenizer pattern; before counting, the tokenizer must reproduce every
test vector llama.cpp ships beside the file (``.gguf.inp`` / ``.gguf.out``), else it stops.

Lengths:
- ``prompt_tokens``: the whole chat request, the prompt wrapped in the Llama 3 Instruct chat
  template with no system message (``<|begin_of_text|><|start_header_id|>user
  <|end_header_id|>\\n\\n{prompt}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\\n\\n``),
  specials parsed: what a server's prefill sees.
- ``prompt_text_tokens``: the prompt text alone, no special tokens.
- ``response_tokens``: the reference response alone, no special tokens (no <|eot_id|>).

Needs numpy, gguf and tiktoken (not the project's dependencies: run it from any venv that
has them; it reads and writes local files only).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

SEED = 2024
N_SAMPLE = 256
# tiktoken pattern of Meta's Llama 3 tokenizer (llama.cpp's LLAMA_VOCAB_PRE_TYPE_LLAMA3)
LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
CHAT_TEMPLATE = (
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n{content}<|eot_id|>"
    "<|start_header_id|>assistant<|end_header_id|>\n\n"
)
COLUMNS = [
    "prompt_id",
    "source_index",
    "category",
    "prompt_tokens",
    "prompt_text_tokens",
    "response_tokens",
    "source",
    "tokenizer",
]


def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-to-unicode map, inverted: GGUF stores BPE tokens in that alphabet."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    bs += list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs, strict=True)}


def load_llama3_tokenizer(gguf_path: Path):
    import gguf
    import tiktoken

    reader = gguf.GGUFReader(str(gguf_path))

    def strings(name: str) -> list[str]:
        field = reader.fields[name]
        return [bytes(field.parts[i]).decode("utf-8") for i in field.data]

    pre = strings("tokenizer.ggml.pre")[0]
    if pre != "llama-bpe":
        sys.exit(f"{gguf_path}: pre-tokenizer {pre!r}, expected 'llama-bpe' (Llama 3)")
    tokens = strings("tokenizer.ggml.tokens")
    types_field = reader.fields["tokenizer.ggml.token_type"]
    types = [int(types_field.parts[i][0]) for i in types_field.data]
    decode = _byte_decoder()
    ranks, special = {}, {}
    for i, (tok, kind) in enumerate(zip(tokens, types, strict=True)):
        if kind == 1:  # normal BPE token: rank = id
            ranks[bytes(decode[ch] for ch in tok)] = i
        else:
            special[tok] = i
    enc = tiktoken.Encoding(
        "llama3-bpe", pat_str=LLAMA3_PATTERN, mergeable_ranks=ranks, special_tokens=special
    )
    _check_vectors(enc, gguf_path)
    return enc


def _check_vectors(enc, gguf_path: Path) -> None:
    inp = Path(str(gguf_path) + ".inp")
    out = Path(str(gguf_path) + ".out")
    if not (inp.exists() and out.exists()):
        sys.exit(f"{inp} / {out} not found: the tokenizer cannot be checked against llama.cpp")
    texts = inp.read_text(encoding="utf-8").split("\n__ggml_vocab_test__\n")
    expected = out.read_text(encoding="utf-8").split("\n")
    bad = [
        i
        for i, (text, ids) in enumerate(zip(texts, expected, strict=False))
        if enc.encode(text, disallowed_special=()) != [int(x) for x in ids.split()]
    ]
    if bad or len(texts) > len(expected):
        sys.exit(f"tokenizer disagrees with llama.cpp's test vectors {bad}")
    print(f"tokenizer: {len(texts)}/{len(texts)} llama.cpp test vectors reproduced")


def read_records(path: Path, fmt: str) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    records = []
    for i, r in enumerate(rows):
        if fmt == "self-instruct":
            (inst,) = r["instances"]
            extra, response, category, pid = (
                inst["input"],
                inst["output"],
                r["motivation_app"],
                r["id"],
            )
        else:
            extra, response, category, pid = (
                r["context"],
                r["response"],
                r["category"],
                f"dolly-{i}",
            )
        prompt = r["instruction"].strip()
        if extra.strip():
            prompt += "\n\n" + extra.strip()
        records.append(
            {
                "prompt_id": pid,
                "source_index": i,
                "category": category,
                "prompt": prompt,
                "response": response.strip(),
            }
        )
    return records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source_jsonl", type=Path)
    ap.add_argument("gguf", type=Path)
    ap.add_argument("out_csv", type=Path)
    ap.add_argument("--format", choices=["self-instruct", "dolly"], required=True)
    ap.add_argument("--source", required=True, help="owner/repo@commit:path, kept on each row")
    ap.add_argument("--n", type=int, default=N_SAMPLE)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--drop-text-over-kb", type=float, default=400.0)
    args = ap.parse_args()

    enc = load_llama3_tokenizer(args.gguf)
    records = read_records(args.source_jsonl, args.format)
    # a seeded permutation, cut at n: the file's order is the sample's, so its first k rows
    # are themselves a random sample (with fewer than n records, all of them, shuffled)
    order = np.random.default_rng(args.seed).permutation(len(records))[: args.n]
    label = f"Llama 3 BPE ({args.gguf.name}, tiktoken)"
    rows = []
    for idx in order:
        r = dict(records[int(idx)])
        chat = CHAT_TEMPLATE.format(content=r["prompt"])
        r["prompt_tokens"] = len(enc.encode(chat, allowed_special="all"))
        r["prompt_text_tokens"] = len(enc.encode(r["prompt"], disallowed_special=()))
        r["response_tokens"] = len(enc.encode(r["response"], disallowed_special=()))
        r["source"] = args.source
        r["tokenizer"] = label
        rows.append(r)
    args.out_csv.parent.mkdir(parents=True, exist_ok=True)

    with args.out_csv.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r[k] for k in COLUMNS})
    size = args.out_csv.stat().st_size
    print(f"{len(rows)} of {len(records)} records -> {args.out_csv} ({size / 1024:.0f} KB)")
    for col in ("prompt_tokens", "prompt_text_tokens", "response_tokens"):
        v = np.array([r[col] for r in rows])
        p10, med, p90 = np.percentile(v, [10, 50, 90])
        print(
            f"{col}: median {med:.0f} mean {v.mean():.1f} p10 {p10:.0f} p90 {p90:.0f}"
            f" min {v.min()} max {v.max()}"
        )


if __name__ == "__main__":
    main()
