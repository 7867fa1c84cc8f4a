"""System check: SMS switched on (NOTIFICATIONS_CHANNELS) needs a provider, keys, a signature
and a default template; `manage.py check --deploy` reports what is missing."""

from django.core.checks import Error, register


@register("notifications", deploy=True)
def sms_configuration(app_configs, **kwargs):
    from .sms import describe_configuration_problems

    return [Error(str(problem), id="notifications.E001") for problem in describe_configuration_problems()]
