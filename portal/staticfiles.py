"""django.contrib.staticfiles' app config, in its own module: a second AppConfig in portal/apps.py
would stop Django from picking PortalConfig (and its ready()) for the portal app."""

from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig


class StaticFilesConfig(BaseStaticFilesConfig):
    """collectstatic leaves out the vendor builds the pages never load, which whitenoise would
    otherwise gzip and brotli on every deployment: ECharts' ES-module, "common", "simple" and
    unminified builds, their source maps and extensions (~50 MB; pages load echarts.min.js), and
    Bootstrap's right-to-left, grid-, reboot- and utilities-only, ES-module and unminified builds
    (pages load css/bootstrap.min.css and js/bootstrap.bundle.min.js). The patterns with a folder
    match only Bootstrap's dist folder (vendor/bootstrap), not other apps' copies of Bootstrap."""

    ignore_patterns = [*BaseStaticFilesConfig.ignore_patterns, "echarts.esm.*", "echarts.common.*",
                       "echarts.simple.*", "echarts.js", "echarts.js.map", "extension",
                       "css/bootstrap-grid*", "css/bootstrap-reboot*", "css/bootstrap-utilities*",
                       "css/bootstrap.rtl*", "css/bootstrap.css", "css/bootstrap.css.map",
                       "js/bootstrap.esm*", "js/bootstrap.js", "js/bootstrap.js.map", "js/bootstrap.min.js",
                       "js/bootstrap.min.js.map", "js/bootstrap.bundle.js", "js/bootstrap.bundle.js.map"]
