import json

from click.testing import CliRunner

from qa.chat import ChatSession
from qa.cli import main
from qa.factory import build_assistant, build_indexer
from qa.request import Request
from qa.rewrite import is_follow_up, rewrite_rule_based
from tests.conftest import SAMPLE_DIR


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
