"""One base class for the errors a user can cause, and a CLI that does not import the qa/index
graph just to show its help."""

import subprocess
import sys

import pytest

from evals.compare import ReportError
from evals.schema import EvalSetError
from index.chroma import StoreDamagedError, StoreError
from index.collection import CollectionMissingError
from index.documents import LoadError
from index.embedding import EmbeddingModelError
from index.errors import UserError
from index.locking import WriterBusyError
from index.nlp import PipelineMissingError
from qa.assistant import EmptyCollectionError, QuestionError
from qa.llm import LLMError
from qa.weights import ModelError
from ui.security import ServeConfigError


@pytest.mark.parametrize(
    "error",
    [
        LoadError,
        EmbeddingModelError,
        StoreError,
        StoreDamagedError,
        QuestionError,
        EmptyCollectionError,
        CollectionMissingError,
        LLMError,
        ModelError,
        WriterBusyError,
        PipelineMissingError,
        EvalSetError,
        ReportError,
        ServeConfigError,
    ],
)
def test_every_user_error_shares_one_base(error):
    assert issubclass(error, UserError)


def test_cli_import_leaves_the_commands_modules_unloaded():
    code = (
        "import sys, qa.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('qa', 'index', 'pydantic')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "['index', 'index.errors', 'qa', 'qa.cli', 'qa.request']"
