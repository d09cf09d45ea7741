"""The webhook delivery loop: one thread per registered webhook, so a receiver being retried with
backoff never delays the others."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from uuid import UUID

import structlog

from projections.webhook_delivery import Courier, Interrupted, RetryPolicy, subscriber
from projections.webhooks import WebhookStore
from store.application import StoreApplication

log = structlog.get_logger("konkurs.webhooks")


@dataclass(frozen=True)
class Delivered:
    """What one run did for one webhook."""

    webhook: str
    delivered: int
    dead_lettered: int
    position: int


class WebhookRunner:
    def __init__(self, app: StoreApplication, webhooks: WebhookStore, policy: RetryPolicy,
                 interval: float = 0.5, refresh: float = 5.0) -> None:
        self.app = app
        self.views_db = webhooks.views_db
        self.store = webhooks
        self.policy = policy
        self.interval = interval
        self.refresh = refresh

    def once(self) -> list[Delivered]:
        """Deliver everything recorded so far to every webhook, then return."""
        couriers = [Courier(webhook, self.store, self.policy) for webhook in self.store.all()]
        failures: list[BaseException] = []
        threads = [threading.Thread(target=self._catch_up, args=(c, failures)) for c in couriers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        return [self._outcome(courier) for courier in couriers]

    def follow(self, stop: threading.Event) -> list[Delivered]:
        """Deliver new events as they are recorded until `stop` is set; webhooks added or
        removed meanwhile are picked up within `refresh` seconds."""
        running: dict[tuple[str, UUID], tuple[threading.Thread, Courier]] = {}
        while not stop.is_set():
            wanted = {(w.name, w.id): w for w in self.store.all()}
            for key in set(running) - set(wanted):
                self._halt(*running.pop(key))
            for key in set(wanted) - set(running):
                courier = Courier(wanted[key], self.store, self.policy, threading.Event())
                thread = threading.Thread(target=self._follow, args=(courier,), daemon=True)
                thread.start()
                running[key] = (thread, courier)
            stop.wait(self.refresh)
        for thread, courier in running.values():
            self._halt(thread, courier)
        return [self._outcome(courier) for _, courier in running.values()]

    @staticmethod
    def _halt(thread: threading.Thread, courier: Courier) -> None:
        courier.stop.set()
        thread.join()

    def _catch_up(self, courier: Courier, failures: list[BaseException]) -> None:
        try:
            subscriber(courier.webhook, courier, self.app, self.views_db).catch_up()
        except BaseException as error:
            failures.append(error)

    def _follow(self, courier: Courier) -> None:
        feed = subscriber(courier.webhook, courier, self.app, self.views_db)
        while not courier.stop.is_set():
            try:
                feed.follow(courier.stop, self.interval)
            except Interrupted:
                return
            except Exception as error:  # the store or views DB away for a while: try again
                log.error("webhook delivery stopped; retrying", webhook=courier.webhook.name,
                          error=str(error))
                courier.stop.wait(self.refresh)

    def _outcome(self, courier: Courier) -> Delivered:
        return Delivered(courier.webhook.name, courier.delivered, courier.dead,
                         self.store.position(courier.webhook))
