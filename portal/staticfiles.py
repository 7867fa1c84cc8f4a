"""django.contrib.staticfiles' app config, in its own module: a second AppConfig in portal/apps.py
would stop Django from picking PortalConfig (and its ready()) for the portal app."""

from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig


class StaticFilesConfig(BaseStaticFilesConfig):
    """collectstatic leaves out the ECharts bundles the pages never load (the ES-module, "common"
    and "simple" builds, the unminified one, their source maps and the extensions: ~50 MB that
    whitenoise would otherwise gzip and brotli on every deployment); pages load echarts.min.js."""

    ignore_patterns = [*BaseStaticFilesConfig.ignore_patterns, "echarts.esm.*", "echarts.common.*",
                       "echarts.simple.*", "echarts.js", "echarts.js.map", "extension"]
