"""Role-aware verification: who did what, read from spaCy's parse, with a scripted LLM."""

import pytest

from index.nlp import parse
from qa.factory import build_assistant, build_indexer
from qa.roles import predicates, role_conflict
from tests.conftest import SAMPLE_DIR
from tests.fakes import ScriptedLLM

PUTIN = (
    'In response, Russian President Putin warned that South Korea would make a "big mistake" '
    "if it decided to supply lethal weapons to Ukraine."
)
SUMMONED = (
    "On June 21, South Korea summoned Russian Ambassador to Seoul Georgy Zinoviev to express its "
    "stance on the treaty."
)
ZINOVIEV = (
    'In response, Ambassador Zinoviev said that any attempts to "threaten and blackmail" Russia '
    "were unacceptable."
)
PACT = (
    "SEOUL — South Korea's foreign ministry said it had summoned the Russian ambassador in protest "
    "of a pact between Russia and North Korea signed in Pyongyang this week."
)
OPENER = (
    "Summoning Ambassador Zinoviev, South Korean First Vice Foreign Minister Kim Hong-kyun called "
    "on Russia to “immediately stop” military cooperation with North Korea and “act responsibly.”"
)


def _conflict(claim: str, source: str) -> str | None:
    return role_conflict(predicates(parse(claim)), predicates(parse(source)))


def test_passive_voice_is_read_as_agent_and_patient():
    [summon] = predicates(parse("Georgy Zinoviev was summoned by South Korea."))
    assert summon.lemma == "summon" and summon.passive
    assert summon.agent.text == "South Korea" and "zinoviev" in summon.patient.names


def test_reported_speech_and_conjoined_verbs_yield_every_clause():
    found = predicates(parse("Kim summoned Zinoviev and said that Russia must stop."))
    assert [(p.lemma, p.agent.text) for p in found] == [
        ("summon", "Kim"),
        ("say", "Kim"),
        ("stop", "Russia"),
    ]


def test_a_participle_clause_takes_the_main_clause_subject():
    found = predicates(parse("Putin spoke on Thursday, warning that Seoul would pay."))
    assert [(p.lemma, p.agent.text) for p in found] == [
        ("speak", "Putin"),
        ("warn", "Putin"),
        ("pay", "Seoul"),
    ]


def test_the_object_of_the_main_clause_does_what_its_infinitive_says():
    sentence = "Parliament elects one MSP to serve as Presiding Officer."
    elect, serve = predicates(parse(sentence))
    assert elect.agent.text == "Parliament" and serve.agent.text == "one MSP"
    # without an object the main clause's subject does it
    [agree, sign] = predicates(parse("Putin agreed to sign the treaty."))
    assert sign.agent.text == "Putin"


def test_an_opening_participle_clause_misread_by_the_parser_keeps_its_doer():
    """The small parser reads "Summoning X, Y called …" as Y in apposition to X and "called" as
    a participle after Y; the roles put Y back as the doer of both verbs."""
    found = predicates(parse(OPENER))
    assert [(p.lemma, p.agent.text, p.patient and p.patient.text) for p in found[:2]] == [
        ("summon", "South Korean First Vice Foreign Minister Kim Hong-kyun", "Ambassador Zinoviev"),
        ("call", "South Korean First Vice Foreign Minister Kim Hong-kyun", None),
    ]
    assert not found[1].passive
    assert _conflict("Zinoviev was summoned by Kim Hong-kyun.", OPENER) is None
    assert _conflict("Kim Hong-kyun was summoned by Zinoviev.", OPENER)
    assert _conflict("Zinoviev called on Russia to stop military cooperation.", OPENER)
    # a real reduced relative after a comma is still one
    [appoint, leave] = predicates(parse("Zinoviev, the envoy appointed in 2022, left Seoul."))
    assert appoint.passive and appoint.agent is None and leave.agent.text == "Zinoviev, the envoy"


@pytest.mark.parametrize(
    "claim, source, conflict",
    [
        ("South Korea warned that South Korea would make a big mistake.", PUTIN, True),
        ("Putin warned that South Korea would make a big mistake.", PUTIN, False),
        ("Zinoviev summoned South Korea.", SUMMONED, True),
        ("The Russian envoy summoned South Korea's foreign minister.", SUMMONED, True),
        ("Russian Ambassador Georgy Zinoviev was summoned by South Korea.", SUMMONED, False),
        ("South Korea was summoned by Georgy Zinoviev.", SUMMONED, True),
        ("He was summoned on June 21.", SUMMONED, False),  # a pronoun is not compared
        ("Zinoviev called the attempts unacceptable.", ZINOVIEV, False),  # no shared verb
        # An agentless "signed" says nothing of South Korea signing; the pact's own words do
        # name who made it.
        ("South Korea signed a pact with North Korea.", PACT, True),
        ("Russia and North Korea signed a pact in Pyongyang.", PACT, False),
        ("The pact was signed in Pyongyang.", PACT, False),
        # The same verb with another named partner, or another Kim, is someone else.
        (
            "Russia signed a treaty with South Korea.",
            "Russia signed a treaty with North Korea.",
            True,
        ),
        (
            "Russia signed a treaty with North Korea.",
            "Russia signed a treaty with North Korea.",
            False,
        ),
        ("Kim Jong-un summoned Zinoviev.", "Kim Hong-kyun summoned Zinoviev.", True),
        ("Kim summoned Zinoviev.", "Kim Hong-kyun summoned Zinoviev.", False),
        # A named partner where the source's is a description without that name.
        (
            "A number of their descendants rose to Brandenburg.",
            "A number of their descendants rose to positions of prominence in Prussia.",
            True,
        ),
        (
            "A number of their descendants rose to Prussia.",
            "A number of their descendants rose to positions of prominence in Prussia.",
            False,
        ),
        (
            "Russia signed a treaty with North Korea.",
            "Russia signed a treaty with it.",
            False,
        ),
    ],
)
def test_role_conflicts(claim, source, conflict):
    assert (_conflict(claim, source) is not None) is conflict


@pytest.fixture
def ask(settings, fake_embedder):
    build_indexer(settings, embedder=fake_embedder).index([SAMPLE_DIR])

    def run(reply, question):
        assistant = build_assistant(settings, embedder=fake_embedder, llm=ScriptedLLM(reply))
        return assistant.ask(question, mode="generate")

    return run


def test_a_role_reversal_is_dropped(ask):
    reversed_ = "South Korea warned that South Korea would make a big mistake."
    answer = ask(
        f"Putin warned that South Korea would make a big mistake. {reversed_}",
        "What did Putin warn South Korea about weapons for Ukraine?",
    )
    assert reversed_ in answer.unsupported and reversed_ not in answer.answer
    assert [s.supported for s in answer.sentences] == [True]
    [why] = answer.unsupported_reasons
    assert "Putin" in why


def test_a_passive_paraphrase_is_kept(ask):
    passive = "Russian Ambassador to Seoul Georgy Zinoviev was summoned by South Korea on June 21."
    answer = ask(passive, "Who was summoned by South Korea on June 21?")
    assert answer.unsupported == [] and answer.sentences[0].supported
    assert answer.answer.startswith(passive)


def test_reported_speech_checks_the_inner_clause(ask):
    inner_reversed = "Putin warned that Ukraine would make a big mistake if it supplied weapons."
    answer = ask(inner_reversed, "What did Putin warn South Korea about weapons for Ukraine?")
    assert inner_reversed in answer.unsupported and answer.notes  # fell back to the evidence
    assert "make" in answer.unsupported_reasons[0]
