"""The errors a user can cause: every front end shows them as one plain line, never a trace."""

from __future__ import annotations


def user_error_types() -> tuple[type[Exception], ...]:
    from index.documents import LoadError
    from index.embedding import EmbeddingModelError
    from index.locking import WriterBusyError
    from index.store import StoreError
    from qa.assistant import EmptyCollectionError, QuestionError
    from qa.factory import CollectionMissingError
    from qa.llm import LLMError

    return (
        LoadError,
        EmbeddingModelError,
        StoreError,
        QuestionError,
        EmptyCollectionError,
        CollectionMissingError,
        LLMError,
        WriterBusyError,
    )
