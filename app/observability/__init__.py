"""Metrics (Prometheus) and traces. No Ray imports: replicas expose these themselves."""
