"""Subscriptions: one declaration per subscription, served from the outbox relay
(docs/design.md#events-and-the-outbox).

A domain declares a subscription in ``schema/<domain>/subscriptions.py``, as an attribute of
that module (:func:`schema.declarations` collects it; nothing registers at import)::

    WALLET_CHANGED = subscription(
        "walletChanged",
        event="WalletChangedEvent",
        description="The viewer's coins changed.",
        topics=(Topic.WALLET_CHANGED,),
        fields={
            "coins": Value(int, "coins", "The change, in coins (negative: spent)."),
            "wallet": Row("user_wallet", "wallet_id", "The wallet as it is now."),
        },
    )

and :class:`SubscriptionBuilder` builds, when the schema is built:

- the event type (``WalletChangedEvent``) with ``cursor`` (opaque: pass it back as ``after``
  to resume), ``occurredAt`` (when the transition's transaction started), ``type`` when
  ``topics`` maps topics to names (``FocusSessionEventType``), and the declared fields:
  payload values, or rows loaded by the id in the payload through the event's own
  DataLoaders (read after the event was delivered, on a fresh snapshot);
- the root field ``walletChanged(after: String): WalletChangedEvent!``, whose resolver
  authenticates (per-viewer: no sign-in is an ``UNAUTHENTICATED`` error), checks ``after``
  (``BAD_USER_INPUT`` when it is not a cursor, ``CURSOR_EXPIRED`` when its event was pruned)
  and streams the viewer's events of those topics from the process's event hub
  (:class:`~schema.core.context.EventSource`): the missed ones after ``after``, then live
  ones, in order, each once. Between two events the operation holds no pooled connection.
"""

from __future__ import annotations

import enum
import types
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import strawberry
from graphql import GraphQLError

from db.events.outbox import Topic
from db.events.relay import CursorExpired, Event, InvalidCursor, Position
from schema.core.context import Context, EventSource, renew_reads
from schema.core.fields import generated_field
from schema.core.mutations import UNAUTHENTICATED
from schema.core.tables import camel

if TYPE_CHECKING:
    from schema.core.types import TypeFactory

#: ``extensions.code`` of a malformed ``after``.
BAD_USER_INPUT = "BAD_USER_INPUT"
#: ``extensions.code`` of an ``after`` whose event is no longer kept.
CURSOR_EXPIRED = "CURSOR_EXPIRED"


@dataclass(frozen=True)
class Row:
    """An event field holding a row: the generated type of ``table``, loaded by the id found
    under ``key`` in the event's payload; ``optional``: the field is nullable (null when the
    payload has no such key: an event type shared by topics with different payloads)."""

    table: str
    key: str
    description: str
    optional: bool = False


@dataclass(frozen=True)
class Value:
    """An event field holding a payload value of a scalar type (``int``, ``str``, ``bool``);
    ``optional``: nullable (null when the payload has no such key)."""

    type: type
    key: str
    description: str
    optional: bool = False


@dataclass(frozen=True)
class SubscriptionDef:
    """One declared subscription (see the module docstring)."""

    name: str
    event: str
    description: str
    topics: Mapping[Topic, str | None]
    fields: Mapping[str, Row | Value]


def subscription(
    name: str,
    *,
    event: str,
    description: str,
    topics: Mapping[Topic, str] | tuple[Topic, ...],
    fields: Mapping[str, Row | Value],
) -> SubscriptionDef:
    """Declare a subscription: keep the returned :class:`SubscriptionDef` as an attribute of
    the domain's ``subscriptions`` module, where :func:`schema.declarations` finds it.

    Args:
        name: the root field's name (camelCase).
        event: the event type's name.
        description: shown in GraphiQL.
        topics: the outbox topics it delivers; a mapping names each topic's value of the
            event's ``type`` enum (``<event>Type``).
        fields: python field name -> :class:`Row` or :class:`Value`.

    Returns:
        The declaration. (A name declared twice is refused when the declarations are
        collected.)
    """
    mapping: dict[Topic, str | None] = (
        dict(topics) if isinstance(topics, Mapping) else dict.fromkeys(topics)
    )
    return SubscriptionDef(name, event, description, mapping, dict(fields))


class SubscriptionBuilder:
    """Builds the ``Subscription`` root type from the declarations, against one
    :class:`~schema.core.types.TypeFactory` (the generated object types)."""

    def __init__(self, factory: TypeFactory, declared: Mapping[str, SubscriptionDef]) -> None:
        self.factory = factory
        self.declared = declared
        self._types: list[type] = []

    def build(self) -> type | None:
        """The ``Subscription`` type, or None when nothing is declared."""
        if not self.declared:
            return None
        fields = {name: self._field(d) for name, d in sorted(self.declared.items())}
        return strawberry.type(
            types.new_class("Subscription", (), {}, lambda ns: ns.update(fields)),
            description="Live events of the viewer, over websockets (graphql-transport-ws or "
            'graphql-ws; sign in with `{"Authorization": "Bearer <token>"}` in '
            "`connection_init`). Pass the `cursor` of the last event you saw as `after` to "
            "resume: missed events come first, in order, then live ones.",
        )

    def types(self) -> list[type]:
        """The event types built by :meth:`build`."""
        return list(self._types)

    # ---- event types -------------------------------------------------------------------------

    def _row_resolver(self, spec: Row) -> tuple[Any, Any]:
        info = self.factory.catalog[spec.table]
        target: Any = self.factory.types[spec.table]
        column = info.table.c.id
        integer = column.type.python_type is int

        async def load(root: EventObject, ctx: Context) -> Any:
            value = root.event.payload.get(spec.key)
            if value is None:
                return None
            key = int(value) if integer else uuid.UUID(str(value))
            return await ctx.loaders.row_by(info, column).load(key)

        return target, load

    def _event_type(self, d: SubscriptionDef) -> type:
        namespace: dict[str, Any] = {
            # The delivered outbox event, not a GraphQL field.
            "__annotations__": {"event": strawberry.Private[Event]},
            "cursor": strawberry.field(
                resolver=_cursor,
                description="Opaque position of this event: pass it as `after` to resume after it.",
            ),
            "occurred_at": strawberry.field(
                resolver=_occurred_at,
                name="occurredAt",
                description="When the change happened (the start of its transaction).",
            ),
        }
        names = {topic: value for topic, value in d.topics.items() if value is not None}
        if names:
            functional: Any = enum.Enum  # the functional API, with a computed name
            members = {
                value: strawberry.enum_value(value, description=f"The outbox topic `{topic}`.")
                for topic, value in names.items()
            }
            values = functional(f"{d.event}Type", members)
            kind = strawberry.enum(values, description=f"What happened, in a `{d.event}`.")
            by_topic = {str(topic): kind[value] for topic, value in names.items()}

            def kind_of(root: EventObject) -> Any:
                return by_topic[root.event.topic]

            namespace["type"] = generated_field(kind_of, kind, description="What happened.")
        for attr, spec in d.fields.items():
            namespace[attr] = self._field_of(attr, spec)
        built = strawberry.type(
            types.new_class(d.event, (), {}, lambda ns: ns.update(namespace)),
            description=d.description,
        )
        self._types.append(built)
        return built

    def _field_of(self, attr: str, spec: Row | Value) -> Any:
        if isinstance(spec, Value):
            returns: Any = spec.type | None if spec.optional else spec.type
            resolver = _payload_value(spec.key)
        else:
            target, load = self._row_resolver(spec)
            returns = target | None if spec.optional else target
            resolver = _payload_row(load)
        return generated_field(resolver, returns, name=camel(attr), description=spec.description)

    # ---- root fields ---------------------------------------------------------------------

    def _field(self, d: SubscriptionDef) -> Any:
        event_type = self._event_type(d)
        topics = frozenset(str(topic) for topic in d.topics)

        async def resolve(info: strawberry.Info, after: After = None) -> AsyncGenerator[Any, None]:
            ctx: Context = info.context
            viewer = ctx.viewer
            if viewer is None:
                raise GraphQLError(
                    'Sign in first: send {"Authorization": "Bearer <token>"} in the '
                    "connection_init payload.",
                    extensions={"code": UNAUTHENTICATED},
                )
            position = None
            if after is not None:
                try:
                    position = Position.decode(after)
                except InvalidCursor:
                    raise GraphQLError(
                        "`after` is not a cursor of an event.",
                        extensions={"code": BAD_USER_INPUT},
                    ) from None
            hub = ctx.events
            if hub is None:
                raise GraphQLError("Subscriptions are served over a websocket to /graphql.")
            if position is not None:
                try:
                    await hub.check_cursor(viewer.user_id, position)
                except CursorExpired:
                    raise GraphQLError(
                        "The event of `after` is no longer kept; subscribe without `after` "
                        "and reload the state.",
                        extensions={"code": CURSOR_EXPIRED},
                    ) from None
            return _deliver(ctx, hub, viewer.user_id, topics, position, event_type)

        return strawberry.subscription(
            resolver=resolve,
            name=d.name,
            description=d.description,
            graphql_type=event_type,
        )


#: The ``after`` argument of every subscription.
After = Annotated[
    str | None,
    strawberry.argument(
        description="The `cursor` of the last event you saw: the events after it are replayed "
        "first, in order. Omitted: only new events."
    ),
]


class EventObject(Protocol):
    """The root object of a delivered event: an event type built by
    :class:`SubscriptionBuilder`, holding the outbox row."""

    event: Event


def _cursor(root: EventObject) -> str:
    return root.event.position.encode()


def _occurred_at(root: EventObject) -> datetime:
    return root.event.created_at


def _payload_value(key: str) -> Callable[..., Any]:
    """The resolver of an event field holding the payload value under ``key``."""

    def value(root: EventObject) -> Any:
        return root.event.payload.get(key)

    return value


def _payload_row(load: Callable[[EventObject, Context], Awaitable[Any]]) -> Callable[..., Any]:
    """The resolver of an event field holding a row, loaded by ``load``."""

    def row(root: EventObject, info: strawberry.Info) -> Awaitable[Any]:
        return load(root, info.context)

    return row


async def _deliver(
    ctx: Context,
    hub: EventSource,
    user_id: uuid.UUID,
    topics: frozenset[str],
    after: Position | None,
    event_type: Any,
) -> AsyncGenerator[Any, None]:
    """The events of one subscription. After each event has been executed (the generator is
    resumed only then), the operation's reader is closed and its DataLoaders dropped: the
    next event reads a fresh snapshot, and nothing is held while waiting."""
    stream = hub.stream(user_id, topics, after)
    try:
        async for event in stream:
            yield event_type(event=event)
            await renew_reads(ctx)
    finally:
        await stream.aclose()  # type: ignore[attr-defined]


__all__ = [
    "BAD_USER_INPUT",
    "CURSOR_EXPIRED",
    "Row",
    "SubscriptionBuilder",
    "SubscriptionDef",
    "Value",
    "subscription",
]
