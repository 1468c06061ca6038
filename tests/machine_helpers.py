"""A Hypothesis state machine whose every run works inside a savepoint rolled back at its
teardown, so runs do not see each other's records."""

from django.db import transaction
from hypothesis.stateful import RuleBasedStateMachine


class RolledBackMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        try:
            self._set_up()
        except BaseException:
            # Hypothesis calls teardown only for a machine that was built.
            self.teardown()
            raise

    def _set_up(self):
        """The records every run starts from."""

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
