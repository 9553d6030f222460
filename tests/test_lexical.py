import bm25s
from bm25s.stopwords import STOPWORDS_EN_PLUS

from index.lexical import _stemmer, terms
from tests.conftest import SAMPLE_DIR


def test_terms_are_the_words_bm25s_tokenize_gives():
    texts = [
        line
        for path in sorted(SAMPLE_DIR.iterdir())
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    texts += ["", "Who was summoned, and WHY?", "Kim's envoy—Zinoviev—said 'no'", "ab 12 3"]
    expected = bm25s.tokenize(
        texts,
        stopwords=STOPWORDS_EN_PLUS,
        stemmer=_stemmer(),
        return_ids=False,
        show_progress=False,
    )
    assert terms(texts) == [set(words) for words in expected]
    assert terms(["Who was summoned?"]) == [{"summon"}]
