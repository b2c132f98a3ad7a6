"""Reference data: GPU prices, carbon intensity, tariffs, hardware, scenarios."""
