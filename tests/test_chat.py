import json

from click.testing import CliRunner

from qa.chat import ChatSession
from qa.cli import main
from qa.factory import build_assistant, build_indexer
from qa.request import Request
from qa.rewrite import is_follow_up, rewrite_rule_based
from qa.turn import PreviousTurn
from tests.conftest import SAMPLE_DIR
from tests.fakes import ScriptedLLM


def test_follow_up_detection():
    assert is_follow_up("Why?")
    assert is_follow_up("What did he say in response?")
    assert is_follow_up("And the date?")
    assert not is_follow_up("Who is the Russian ambassador to Seoul?")


def test_rule_based_rewrite_puts_the_previous_question_first():
    assert rewrite_rule_based("Why?", []) == "Why?"
    assert rewrite_rule_based("Why?", ["Who was summoned"]) == "Who was summoned? Why?"
    standalone = "Who was summoned and why?"
    assert rewrite_rule_based("Who is Kim Hong-kyun?", [standalone]) == "Who is Kim Hong-kyun?"


def test_chat_session_keeps_the_conversation(settings, fake_embedder):
    build_indexer(settings, embedder=fake_embedder).index([SAMPLE_DIR])
    session = ChatSession(build_assistant(settings, embedder=fake_embedder))
    first = session.ask("Who was summoned and why?")
    second = session.ask("What did he say in response?")
    assert first.standalone_question == "Who was summoned and why?"
    assert second.question == "What did he say in response?"
    # "he" is the person the first (extractive) answer talks about, by name: the answer's
    # "the Russian ambassador" and "Ambassador Zinoviev" are one person.
    assert second.standalone_question == "What did Ambassador Zinoviev say in response?"
    assert session.standalone_questions == [first.standalone_question, second.standalone_question]
    events = [e.kind for e in session.stream(Request("Why?"))]
    assert events[0] == "standalone" and events[-1] == "answer"


def test_chat_command_shows_the_rewritten_question(fake_embedder, sample_dir):
    runner = CliRunner()
    assert runner.invoke(main, ["index", str(sample_dir)]).exit_code == 0
    result = runner.invoke(main, ["chat"], input="Who was summoned and why?\nWhy?\n\n")
    assert result.exit_code == 0, result.output
    assert "(understood as: Who was summoned and why? Why?)" in result.output
    assert result.output.count("Sources:") + result.output.count("Closest passages") == 2


def test_ask_with_unknown_mode_is_rejected(fake_embedder, sample_dir):
    runner = CliRunner()
    runner.invoke(main, ["index", str(sample_dir)])
    result = runner.invoke(main, ["ask", "Who?", "--mode", "poetry"])
    assert result.exit_code == 2 and "poetry" in result.output
    answer = json.loads(
        runner.invoke(main, ["ask", "Who was summoned?", "--mode", "extractive", "--json"]).output
    )
    assert answer["mode"] == "extractive"


def _recording(assistant):
    """The assistant, with every request it is given kept in `assistant.requests`."""
    stream = assistant.stream
    assistant.requests = []

    def recorded(request):
        assistant.requests.append(request)
        return stream(request)

    assistant.stream = recorded
    return assistant


def test_chat_session_passes_the_previous_turn_with_its_evidence(settings, fake_embedder):
    build_indexer(settings, embedder=fake_embedder).index([SAMPLE_DIR])
    assistant = _recording(build_assistant(settings, embedder=fake_embedder))
    session = ChatSession(assistant)
    first = session.ask("Who conveyed Seoul's stance on the pact to Zinoviev?")
    second = session.ask("What did he urge Russia to do?")
    assert assistant.requests[0].previous is None
    previous = assistant.requests[1].previous
    assert previous == PreviousTurn.of(first)
    assert previous.quotes == tuple(c.quote for c in first.citations) and previous.quotes
    assert previous.short_answer is not None and previous.short_answer.sentence
    assert "Kim Hong-kyun urge Russia" in second.standalone_question


def test_a_follow_up_after_a_swapped_generated_answer_takes_the_one_the_evidence_names(
    settings, fake_embedder
):
    # The scripted model swaps who conveyed what to whom; the role check drops that sentence
    # and the answer falls back to the evidence, so the follow-up's "he" (and the model's
    # unchanged rewrite, which names no one) leads to the one the quotes name.
    build_indexer(settings, embedder=fake_embedder).index([SAMPLE_DIR])
    wrong = "Georgy Zinoviev conveyed Seoul's stance on the pact to Kim Hong-kyun."

    def reply(messages):
        return "What did he urge Russia to do?" if "Rewritten" in messages[-1]["content"] else wrong

    assistant = build_assistant(settings, embedder=fake_embedder, llm=ScriptedLLM(reply))
    session = ChatSession(assistant)
    first = session.ask("Who conveyed Seoul's stance on the pact to Zinoviev?", mode="generate")
    assert wrong in first.unsupported and wrong not in first.answer
    second = session.ask("What did he urge Russia to do?", mode="generate")
    assert "Kim Hong-kyun urge Russia" in second.standalone_question
