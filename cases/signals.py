"""Receivers the cases app connects in CasesConfig.ready(): re-analyse a case after
commit whenever its demand, accounts or holdings change, and send every new timeline
entry to the webhooks subscribed to it."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cases.actions.intake import schedule_analysis
from cases.models import Case, CaseEvent
from cases.webhooks import schedule_deliveries
from requests_app.models import Demand, Holding, TargetAccount


def _case_for_demand(demand_id: int) -> int | None:
    """The demand's case, if it is open: a closed case is final, its analysis no longer changes."""
    return Case.objects.open().filter(demand_id=demand_id).values_list("pk", flat=True).first()


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


@receiver(post_save, sender=CaseEvent, dispatch_uid="cases.webhooks")
def deliver_to_webhooks(sender, instance: CaseEvent, created: bool, raw: bool = False, **kwargs) -> None:
    """Every new timeline entry goes, through the outbox, to the endpoints subscribed."""
    if created and not raw:
        schedule_deliveries(instance)
