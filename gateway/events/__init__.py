"""Live events: the per-process relay of the transactional outbox and its wake-up backends
(docs/design.md#events-and-the-outbox).

- :mod:`gateway.events.hub`: :class:`~gateway.events.hub.EventHub`, one per process: a
  dedicated database connection (``application_name = 'ignition-listener'``, never a pooled
  one) that reads the outbox in commit-safe order (:mod:`db.events.relay`) whenever it is
  woken and at least every ``IGNITION_EVENT_POLL_INTERVAL_S``, and fans each event out to the
  process's subscribers of its user (one read per wake-up, whatever the number of
  subscribers). A subscription stream replays from a cursor, then follows live events, with
  no gap and no duplicate at the seam.
- :mod:`gateway.events.backends`: how the relays are woken: PostgreSQL ``LISTEN``/``NOTIFY``
  (the default) or Redis pub/sub (``IGNITION_EVENT_BACKEND=redis://...``).
- :mod:`gateway.events.websocket`: the websocket side of the GraphQL view (authentication in
  ``connection_init``, a context per operation, text frames, keep-alive pings, close on
  shutdown).
"""
