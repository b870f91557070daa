"""Background work for polls: close each poll at its deadline, remind a day before.

With a worker that can defer (django-tasks-db), each poll queues its own close for the voting
deadline; the sweep (`resolve_due_meetings --loop`, run beside the worker) catches anything missed.
poll_close locks the row, so the two together still close a poll exactly once.
"""

from django.db import transaction
from django.tasks import default_task_backend, task

from clubs.polls import services
from clubs.polls.models import Poll


@task()
def close_poll(poll_id: int) -> bool:
    return services.poll_close(poll_id=poll_id)


@task()
def remind_closing_polls() -> int:
    return services.polls_remind_closing()


def schedule_poll_tasks(poll: Poll) -> None:
    if not default_task_backend.supports_defer:
        return  # in-process backend (tests, no worker): the sweep and explicit calls close polls
    poll_id, closes_at = poll.pk, poll.voting_closes_at
    reminder_at = closes_at - services.CLOSING_REMINDER_LEAD
    transaction.on_commit(lambda: close_poll.using(run_after=closes_at).enqueue(poll_id))
    transaction.on_commit(lambda: remind_closing_polls.using(run_after=reminder_at).enqueue())
