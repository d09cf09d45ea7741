"""Delivering events to webhooks: signed POSTs, retried with backoff, dead letters after that.

Each webhook is a `Subscriber` (at-least-once) whose handler is a `Courier`. A delivery that
still fails after the policy's attempts goes to the dead-letter list and the webhook moves on,
so one broken receiver never holds up its later events for ever.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid5

import structlog

from domain.contract import PublicEvent
from projections.subscriber import Subscriber
from projections.views_db import ViewsDB
from projections.webhooks import DeadLetter, Webhook, WebhookStore
from store.application import StoreApplication

log = structlog.get_logger("konkurs.webhooks")


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` tries per delivery, waiting `backoff`, 2×, 4× … seconds between, at most `cap`."""

    attempts: int = 8
    backoff: float = 1.0
    cap: float = 300.0
    timeout: float = 10.0

    def wait(self, failed: int) -> float:
        return float(min(self.cap, self.backoff * 2 ** (failed - 1)))


class DeliveryFailed(Exception):
    """One attempt that did not get a 2xx answer."""


class Interrupted(Exception):
    """Asked to stop while waiting to retry: the event stays unacknowledged."""


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def delivery_id(webhook: Webhook, position: int) -> str:
    """The same for every attempt and replay of one event, so receivers can drop repeats."""
    return str(uuid5(webhook.id, str(position)))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would repeat a redirected POST as a GET: a receiver that moved must be re-registered.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(webhook: Webhook, event: str, position: int, body: bytes, timeout: float) -> None:
    request = urllib.request.Request(webhook.url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "User-Agent": "konkurs-webhooks",
        "X-Konkurs-Event": event,
        "X-Konkurs-Delivery": delivery_id(webhook, position),
        "X-Konkurs-Signature": signature(webhook.secret, body),
    })
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise DeliveryFailed(f"HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise DeliveryFailed(str(error.reason)) from None
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryFailed(str(error) or type(error).__name__) from None


class Courier:
    """Delivers one webhook's events, each retried under the policy; counts what happened."""

    def __init__(self, webhook: Webhook, store: WebhookStore, policy: RetryPolicy,
                 stop: threading.Event | None = None) -> None:
        self.webhook = webhook
        self.store = store
        self.policy = policy
        self.stop = stop or threading.Event()
        self.delivered = 0
        self.dead = 0

    def __call__(self, event: PublicEvent) -> None:
        body = event.model_dump_json()
        error = self.attempt(event.name, event.position, body.encode())
        if error is None:
            self.delivered += 1
            return
        self.dead += 1
        log.warning("webhook gave up", webhook=self.webhook.name, position=event.position,
                    error=error)
        self.store.bury(DeadLetter(
            webhook=self.webhook.name, position=event.position, event=event.name, body=body,
            attempts=self.policy.attempts, error=error, failed_at=datetime.now(UTC)))

    def attempt(self, event: str, position: int, body: bytes) -> str | None:
        """Try up to the policy's attempts; None once delivered, else the last error."""
        for attempt in range(1, self.policy.attempts + 1):
            try:
                post(self.webhook, event, position, body, self.policy.timeout)
                return None
            except DeliveryFailed as failure:
                error = str(failure)
            log.info("webhook delivery failed", webhook=self.webhook.name, position=position,
                     attempt=attempt, error=error)
            if attempt < self.policy.attempts and self.stop.wait(self.policy.wait(attempt)):
                raise Interrupted
        return error


def subscriber(webhook: Webhook, courier: Courier, app: StoreApplication, views_db: ViewsDB
               ) -> Subscriber:
    return Subscriber(webhook.consumer, courier, store=app, views_db=views_db,
                      names=webhook.types, contest=webhook.contest)


def replay(store: WebhookStore, name: str, policy: RetryPolicy,
           positions: Sequence[int] | None = None) -> tuple[int, int]:
    """Deliver dead letters again (all, or those at `positions`); a delivered one leaves the list,
    a failing one stays with its attempts added. Returns (delivered, still failing)."""
    webhook = store.get(name)
    courier = Courier(webhook, store, policy)
    delivered = failed = 0
    for letter in store.dead_letters(name, positions):
        error = courier.attempt(letter.event, letter.position, letter.body.encode())
        if error is None:
            store.forget(letter)
            delivered += 1
        else:
            store.bury(letter.model_copy(update={
                "attempts": letter.attempts + policy.attempts, "error": error,
                "failed_at": datetime.now(UTC)}))
            failed += 1
    return delivered, failed
