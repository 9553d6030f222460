"""The web app (Gradio): chat with clickable citations, the documents, the evaluations."""
