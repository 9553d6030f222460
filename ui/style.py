"""The app's stylesheet and the small scripts of its HTML panels."""

CSS = """
.qa-conversation { display: flex; flex-direction: column; gap: 14px; }
.qa-turn { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 12px 14px;
  background: var(--background-fill-primary); }
.qa-question { font-weight: 600; margin-bottom: 4px; }
.qa-question::before { content: "Q  "; color: var(--body-text-color-subdued); }
.qa-standalone { font-size: 0.85em; color: var(--body-text-color-subdued); font-style: italic;
  margin-bottom: 4px; }
.qa-answer-text, .qa-refusal, .qa-draft { margin: 6px 0; line-height: 1.55; }
.qa-refusal { font-weight: 600; }
.qa-draft { color: var(--body-text-color-subdued); font-style: italic; }
.qa-working { font-size: 0.85em; color: var(--body-text-color-subdued); }
.qa-cite { border: none; background: var(--color-accent-soft); color: var(--color-accent);
  border-radius: 4px; padding: 0 4px; margin: 0 1px; cursor: pointer; font-weight: 600;
  font-size: 0.9em; }
.qa-cite:hover { background: var(--button-primary-background-fill);
  color: var(--button-primary-text-color); }
.qa-cite.qa-active { outline: 2px solid var(--color-accent); }
.qa-short { margin-bottom: 4px; }
.qa-short .qa-cite { font-size: 1.05em; }
.qa-confidence { color: var(--body-text-color-subdued); font-size: 0.9em; margin-left: 6px; }
.qa-passage { border: none; background: none; padding: 0; cursor: pointer; text-align: left;
  color: var(--color-accent); text-decoration: underline; font-weight: 600; }
.qa-passage.qa-active { background: var(--color-accent-soft); }
.qa-unverified { text-decoration: underline dotted #c2410c; }
.qa-badge { background: #fed7aa; color: #7c2d12; border-radius: 4px; padding: 0 4px;
  font-size: 0.75em; font-weight: 600; }
.qa-closest ol { margin: 4px 0 0 18px; }
.qa-closest-title { font-size: 0.9em; color: var(--body-text-color-subdued); }
.qa-quote { margin: 4px 0 8px 0; padding-left: 10px; border-left: 3px solid
  var(--border-color-primary); color: var(--body-text-color-subdued); font-size: 0.9em; }
.qa-score { font-size: 0.8em; color: var(--body-text-color-subdued); }
.qa-details { margin-top: 6px; font-size: 0.85em; }
.qa-details summary { cursor: pointer; color: var(--body-text-color-subdued); }
.qa-table { border-collapse: collapse; margin: 6px 0; font-size: 0.9em; }
.qa-table td, .qa-table th { border: 1px solid var(--border-color-primary); padding: 2px 6px;
  text-align: left; vertical-align: top; }
.qa-num { text-align: right !important; white-space: nowrap; }
.qa-source { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 12px 14px;
  background: var(--background-fill-primary); }
.qa-source-label { font-size: 0.8em; color: var(--color-accent); font-weight: 600; }
.qa-source-title { font-weight: 600; font-size: 1.05em; margin: 2px 0; }
.qa-source-meta { font-size: 0.8em; color: var(--body-text-color-subdued); margin-bottom: 8px;
  overflow-wrap: anywhere; }
.qa-doc-text { position: relative; white-space: pre-wrap; max-height: 60vh; overflow-y: auto;
  line-height: 1.5; font-size: 0.92em; }
mark.qa-cited { background: #fde68a; color: inherit; padding: 1px 0; border-radius: 2px; }
.qa-empty { color: var(--body-text-color-subdued); padding: 12px; }
.qa-message { padding: 6px 10px; border-radius: 6px; margin: 4px 0; }
.qa-error { background: #fee2e2; color: #7f1d1d; }
.qa-info { background: var(--background-fill-secondary); }
.qa-doc-count { margin: 6px 0; font-weight: 600; }
"""

# Clicking a citation (or a closest passage) in the conversation tells the server which one.
CITATION_CLICKS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('.qa-cite, .qa-passage');
  if (!button || !element.contains(button)) return;
  element.querySelectorAll('.qa-active').forEach((b) => b.classList.remove('qa-active'));
  button.classList.add('qa-active');
  const number = (value) => (value === undefined ? null : Number(value));
  trigger('click', {
    turn: number(button.dataset.turn),
    n: number(button.dataset.n),
    closest: number(button.dataset.closest),
    short: number(button.dataset.short),
  });
});
"""

# When a passage opens, scroll its document so the highlighted span is in view.
SCROLL_TO_MARK = """
watch('value', () => {
  const box = element.querySelector('.qa-doc-text');
  const mark = element.querySelector('mark.qa-cited');
  if (box && mark) box.scrollTop = Math.max(0, mark.offsetTop - 60);
});
"""
