"""Re-analyse a case after commit whenever its demand, accounts or holdings change."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cases.models import Case
from requests_app.models import Demand, Holding, TargetAccount


def schedule_analysis(case_id: int) -> None:
    """Enqueue one analysis per case per transaction, after it commits."""
    from cases.tasks import analyse_case_task

    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(func, "lexloci_case", None) == case_id for _, func, _ in connection.run_on_commit
    ):
        return
    enqueue = partial(analyse_case_task.delay, case_id)
    enqueue.lexloci_case = case_id
    transaction.on_commit(enqueue)


def _case_for_demand(demand_id: int) -> int | None:
    return Case.objects.filter(demand_id=demand_id).values_list("pk", flat=True).first()


@receiver(post_save, sender=Demand)
def demand_saved(sender, instance: Demand, created: bool, raw: bool = False, **kwargs):
    if not raw and not created and (case_id := _case_for_demand(instance.pk)):
        schedule_analysis(case_id)


@receiver(post_save, sender=TargetAccount)
@receiver(post_delete, sender=TargetAccount)
def account_changed(sender, instance: TargetAccount, raw: bool = False, **kwargs):
    if not raw and (case_id := _case_for_demand(instance.demand_id)):
        schedule_analysis(case_id)


@receiver(post_save, sender=Holding)
@receiver(post_delete, sender=Holding)
def holding_changed(sender, instance: Holding, raw: bool = False, **kwargs):
    if raw:
        return
    demand_id = TargetAccount.objects.filter(pk=instance.account_id).values_list("demand_id", flat=True).first()
    if demand_id and (case_id := _case_for_demand(demand_id)):
        schedule_analysis(case_id)
