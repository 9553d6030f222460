"""Answering: retrieve, select evidence, answer with verified citations. Knows nothing of Gradio."""
