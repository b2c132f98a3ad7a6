"""Inference throughput and energy per token vs parameters -> HTML, PNG, Vega-Lite spec."""

from lmfootprint.figures import inference_chart, save_figure
from lmfootprint.inference import load_inference
from lmfootprint.logs import log_to

with log_to(snakemake.log[0]):
    chart = inference_chart(load_inference(snakemake.input.inference))
    save_figure(
        chart, html=snakemake.output.html, png=snakemake.output.png, spec=snakemake.output.spec
    )
