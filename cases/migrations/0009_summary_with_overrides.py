from django.db import migrations


def resummarise(apps, schema_editor):
    """Summaries now count counsel's overrides and say how many there are."""
    from cases.analysis import effective_overrides, summarise

    Analysis = apps.get_model("cases", "Analysis")
    HoldingOverride = apps.get_model("cases", "HoldingOverride")
    overridden = set(HoldingOverride.objects.values_list("analysis_id", flat=True))
    for analysis in Analysis.objects.exclude(summary__has_key="overridden").iterator(chunk_size=2000):
        overrides = effective_overrides(analysis.pk, HoldingOverride) if analysis.pk in overridden else {}
        Analysis.objects.filter(pk=analysis.pk).update(summary=summarise(analysis.result, overrides))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_login_throttle"),
    ]

    operations = [
        migrations.RunPython(resummarise, migrations.RunPython.noop),
    ]
