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


def test_a_pinned_question_reads_one_state_of_the_collection(settings, fake_embedder, tmp_path):
    from index.collection import open_collection
    from qa.factory import build_indexer, location
    from tests.files import write

    build_indexer(settings, embedder=fake_embedder).index([SAMPLE_DIR])
    lexical = open_collection(location(settings), fake_embedder).lexical
    reads = []
    generation = lexical._manifest.generation
    lexical._manifest.generation = lambda: reads.append(1) or generation()
    new_word = next(iter(terms(["Zebras graze quietly."])[0]))
    with lexical.pinned():
        assert new_word in lexical.unknown({new_word})
        extra = write(tmp_path / "more" / "zebras.txt", "Zebras graze quietly on the plain. " * 3)
        build_indexer(settings, embedder=fake_embedder).index([extra.parent])
        lexical.idf({new_word})
        assert new_word in lexical.unknown({new_word})  # the pinned state, not the new one
        assert lexical.search("summoned ambassador", 3)
        assert len(reads) == 1  # the catalogue's generation, read once for the question
    assert new_word not in lexical.unknown({new_word})
