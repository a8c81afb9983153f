"""Domain errors: the expected ways a transition refuses (docs/design.md#graphql-conventions,
"Mutations return a union").

A transition raises one of these inside the caller's transaction; the caller rolls the work
back and the GraphQL layer turns the error into the type of the same name implementing
``interface DomainError { code: String! message: String! }`` (``schema/core/mutations.py``
generates one type per class below, with the class's annotated attributes as extra fields).
Nothing else about an error reaches a client: unexpected exceptions stay masked.

An error is plain data, so the outcome of an idempotent mutation can store it and a replay can
raise the same error again (:meth:`DomainError.to_outcome`, :meth:`DomainError.from_outcome`).
"""

from __future__ import annotations

from typing import Any, ClassVar

#: Class-level settings of :class:`DomainError`, not fields of an error.
_CLASS_ATTRIBUTES = frozenset({"registry", "default_message", "field_docs"})


class DomainError(Exception):
    """A rule of the game refused the transition; ``message`` says why, in words a user reads.

    Subclasses declare their extra fields as class annotations (``needed: int``); they are set
    from the keyword arguments of the constructor and become GraphQL fields, described by the
    class's ``field_docs`` (every field needs one: checked when the class is defined).

    Attributes:
        code: a stable machine-readable code, the class name in SCREAMING_SNAKE_CASE
            (``INSUFFICIENT_FUNDS``).
        message: the human-readable explanation.
    """

    #: Every concrete error class by name (what :meth:`from_outcome` looks up).
    registry: ClassVar[dict[str, type[DomainError]]] = {}
    #: The default message when none is given.
    default_message: ClassVar[str] = "The request was refused."
    #: Extra field -> its description for clients (GraphiQL's documentation pane).
    field_docs: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Register the class; every extra field must be described in ``field_docs``.

        Raises:
            TypeError: an extra field without a ``field_docs`` text.
        """
        super().__init_subclass__(**kwargs)
        undocumented = [name for name in cls.field_names() if not cls.field_docs.get(name)]
        if undocumented:
            raise TypeError(f"{cls.__name__}.field_docs does not describe {undocumented}")
        DomainError.registry[cls.__name__] = cls

    def __init__(self, message: str | None = None, **fields: Any) -> None:
        self.message = message or self.default_message
        missing = set(self.field_names()) - fields.keys()
        unknown = fields.keys() - set(self.field_names())
        if missing or unknown:
            raise TypeError(
                f"{type(self).__name__} takes fields {self.field_names()}, got {sorted(fields)}"
            )
        for name, value in fields.items():
            setattr(self, name, value)
        super().__init__(self.message)

    @classmethod
    def field_names(cls) -> list[str]:
        """The extra fields of this error class, in declaration order (base classes first)."""
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            for name in getattr(klass, "__annotations__", {}):
                if name not in _CLASS_ATTRIBUTES and name not in names:
                    names.append(name)
        return names

    @property
    def code(self) -> str:
        name = type(self).__name__
        return "".join("_" + c if c.isupper() and i else c for i, c in enumerate(name)).upper()

    def to_outcome(self) -> dict[str, Any]:
        """The JSON form stored with an idempotency key: ``{"error": Name, "message": ...,
        "fields": {...}}``."""
        return {
            "error": type(self).__name__,
            "message": self.message,
            "fields": {name: getattr(self, name) for name in self.field_names()},
        }

    @staticmethod
    def from_outcome(outcome: dict[str, Any]) -> DomainError:
        """The error a stored outcome describes (the inverse of :meth:`to_outcome`).

        Raises:
            KeyError: the outcome names no known error class.
        """
        cls = DomainError.registry[outcome["error"]]
        return cls(outcome["message"], **outcome["fields"])

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DomainError)
            and type(self) is type(other)
            and (self.to_outcome() == other.to_outcome())
        )

    __hash__ = Exception.__hash__


class NotFound(DomainError):
    """No such row, or not the viewer's: another user's rows are absent, not forbidden
    (docs/design.md#graphql-conventions)."""

    default_message = "Not found."
    resource: str
    field_docs = {"resource": "The type of what was looked for (e.g. `FocusSession`)."}


class InvalidInput(DomainError):
    """An argument is malformed or out of range; ``field`` names it (camelCase path, e.g.
    ``input.quantity``)."""

    default_message = "Invalid input."
    field: str
    field_docs = {
        "field": "The argument or input field at fault, as a camelCase path (`input.quantity`)."
    }


class InvalidState(DomainError):
    """The row is not in a state that allows this transition; ``status`` is its current
    status (e.g. completing a session that is ``abandoned``)."""

    default_message = "Not allowed in the current state."
    status: str
    field_docs = {"status": "The row's current status, as stored (e.g. `expired`)."}


class InsufficientFunds(DomainError):
    """The wallet cannot pay: ``needed`` coins were required, ``available`` coins are there."""

    default_message = "Not enough coins."
    needed: int
    available: int
    field_docs = {
        "needed": "The coins the request costs in total.",
        "available": "The coins in the viewer's wallet now.",
    }


class OutOfStock(DomainError):
    """The market item has fewer units left than asked for (``remaining`` units)."""

    default_message = "Out of stock."
    remaining: int
    field_docs = {"remaining": "The units of the item still in stock."}


class ItemUnavailable(DomainError):
    """The market item is inactive, outside its availability window, or not offered to the
    viewer (Ignition specification, "Market Purchase Flow")."""

    default_message = "This item is not available."


class FocusSessionAlreadyRunning(DomainError):
    """The viewer already has a running or paused focus session (one per user,
    Ignition specification, "Focus Lifecycle"); ``sessionId`` is its id."""

    default_message = "A focus session is already running."
    session_id: str
    field_docs = {"session_id": "The id of the running or paused session (`FocusSession.id`)."}


class QuestNotCompleted(DomainError):
    """The quest's reward cannot be claimed before its target is reached (``progress`` of
    ``target``)."""

    default_message = "The quest is not completed yet."
    progress: int
    target: int
    field_docs = {
        "progress": "How far the quest has come, in the units of its target.",
        "target": "The progress the quest needs to be completed.",
    }


class AlreadyClaimed(DomainError):
    """The reward was claimed already (once per completion)."""

    default_message = "The reward was already claimed."


class AlreadyCompleted(DomainError):
    """The habit (or repeatable quest) is already done for the period that date falls in
    (once per period; a weekly habit ``targetCount`` times a week)."""

    default_message = "Already completed for this period."


class IdempotencyKeyReused(DomainError):
    """The idempotency key was used before with other arguments or another mutation
    (Stripe's semantics): use a new key for a new request."""

    default_message = "This idempotency key was already used for a different request."
    key: str
    field_docs = {"key": "The idempotency key that was reused."}


__all__ = [
    "AlreadyClaimed",
    "AlreadyCompleted",
    "DomainError",
    "FocusSessionAlreadyRunning",
    "IdempotencyKeyReused",
    "InsufficientFunds",
    "InvalidInput",
    "InvalidState",
    "ItemUnavailable",
    "NotFound",
    "OutOfStock",
    "QuestNotCompleted",
]


class AccountNotLinked(DomainError):
    """The sign-in's email address belongs to an existing user who signed in another way, and
    the account cannot be linked to them automatically: linking needs the address verified
    both by this provider and on the existing user (otherwise whoever registers an address
    first could take over its owner's account). The person should sign in the way they did
    before."""

    default_message = (
        "This email address is already used by another sign-in method; sign in with that one."
    )
