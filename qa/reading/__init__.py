"""Reading: which sentence answers, whether the collection answers at all, and the short answer.

A small learned model (logistic regressions fitted by `python -m qa.reading.train` on SQuAD 2.0
training data; parameters in qa/reading/reader.json) over features of the question's spaCy
analysis and each candidate sentence's stored annotation and vector.
"""
