"""Bulk writing for the data generator's app modules (`<app>/generate.py`, which may import it: it
is infrastructure, unlike the generate_data command that composes them): COPY through psycopg,
contiguous id blocks, chunked plans, rows/second.

    first = reserve_block(Topic, n)            # ids known before inserting, children can point at them
    with Copier(Topic, explicit_ids=True) as copy:
        copy.row({"id": 1, "title": "…"})       # missing fields take the model's defaults

Rows are buffered up to FLUSH_ROWS and written with one COPY each, so memory stays bounded
whatever the number of rows."""

from __future__ import annotations

import datetime
import json
import random
import sys
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, models, transaction


class HeldWrites:
    """Rows of many small writes (audit events, summary marks, score marks) held back inside
    `block()` and written at its end, one `write(rows, using)` per database, in the order they
    were held — for bulk loads (`manage.py load_demo`). Use the block inside the writes'
    transaction: the rows commit or roll back with them, and an exception inside the block writes
    none. Nothing inside the block may read the held rows. In a nested block the outer one writes."""

    def __init__(self, name: str, write):
        self._held: ContextVar[dict[str, list] | None] = ContextVar(name, default=None)
        self._write = write

    def hold(self, rows, using: str) -> bool:
        """Keep `rows` for the block's end; False outside a block (the caller writes them now)."""
        held = self._held.get()
        if held is None:
            return False
        held.setdefault(using, []).extend(rows)
        return True

    @contextmanager
    def block(self):
        if self._held.get() is not None:
            yield
            return
        held: dict[str, list] = {}
        token = self._held.set(held)
        try:
            yield
        finally:
            self._held.reset(token)
        for using, rows in held.items():
            if rows:
                self._write(rows, using)


class Progress:
    """A one-line progress bar with rows/second."""

    def __init__(self, stdout, label: str, total: int):
        self.stdout, self.label, self.total, self.done, self.start = stdout, label, total, 0, time.monotonic()

    def add(self, n: int):
        self.done += n
        elapsed = max(time.monotonic() - self.start, 1e-6)
        width = 30
        filled = int(width * min(self.done / max(self.total, 1), 1))
        sys.stdout.write(f"\r  {self.label:<22} [{'#' * filled}{'.' * (width - filled)}] "
                         f"{self.done:>9,}/{self.total:,}  {self.done / elapsed:,.0f} rows/s")
        sys.stdout.flush()

    def finish(self):
        elapsed = max(time.monotonic() - self.start, 1e-6)
        sys.stdout.write("\n")
        self.stdout.write(f"  {self.label}: {self.done:,} rows in {elapsed:.1f} s ({self.done / elapsed:,.0f} rows/s)")



@contextmanager
def bulk_transaction():
    """One chunk of generated rows per transaction, loaded the way pg_restore does: foreign-key
    triggers off (the generator writes consistent ids; session_replication_role needs a superuser,
    otherwise the keys are simply checked at commit) and no wait for the WAL flush."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield


def reserve_block(model, n: int) -> int:
    """Take n consecutive ids from the table's sequence; returns the first. Single-writer only (the
    generator), which is what makes the block contiguous."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
        seq = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [seq])
        first = cursor.fetchone()[0]
        if n > 1:
            cursor.execute("SELECT setval(%s, %s, true)", [seq, first + n - 1])
    return first


FLUSH_ROWS = 20_000


class Copier:
    """COPY rows into a model's table. Columns not given in a row take the field default (or NULL
    for nullable fields); a required field without a default is an error at the first row."""

    def __init__(self, model, *, explicit_ids: bool = False):
        self.model = model
        pk = model._meta.pk
        # Without explicit ids the database numbers the rows (identity/serial default).
        self.fields = [f for f in model._meta.concrete_fields
                       if explicit_ids or not (f is pk and isinstance(f, models.AutoField))]
        self.columns = [f.column for f in self.fields]
        self.json = {i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)}
        self.defaults = {}
        for f in self.fields:
            if f.has_default():
                self.defaults[f.attname] = f.get_default
            elif f.null:
                self.defaults[f.attname] = lambda: None
            elif isinstance(f, models.CharField | models.TextField | models.FileField) and f.blank:
                self.defaults[f.attname] = lambda: ""
            elif isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                self.defaults[f.attname] = _now
        self._plan = [(f.attname, self.defaults.get(f.attname) or _missing(model, f.attname)) for f in self.fields]
        self.count = 0

    def __enter__(self):
        self.buffer = []
        return self

    def row(self, values: dict):
        plan = self._plan
        out = [values[name] if name in values else default() for name, default in plan]
        if self.json:
            out = [json.dumps(v, ensure_ascii=False) if i in self.json and v is not None else v
                   for i, v in enumerate(out)]
        self.buffer.append(out)
        self.count += 1
        if len(self.buffer) >= FLUSH_ROWS:
            self.flush()

    def flush(self):
        """One complete COPY per buffer, so several Copiers can be open on the one connection."""
        if not self.buffer:
            return
        cols = ", ".join(f'"{c}"' for c in self.columns)
        with connection.cursor() as cursor, cursor.cursor.copy(
                f'COPY "{self.model._meta.db_table}" ({cols}) FROM STDIN') as copy:
            for out in self.buffer:
                copy.write_row(out)
        self.buffer = []

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.flush()
        return False


def _missing(model, name):
    def fail():
        raise ValueError(f"{model.__name__}.{name} needs a value")

    return fail


_NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


def _now():
    return _NOW


def spread(rng: random.Random, start: datetime.date, days: int) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange(days))


def at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 8 + rng.randrange(10), rng.randrange(60),
                             tzinfo=datetime.UTC)


# Realistic Chinese titles: place + subject + issue, many combinations so text search has work to do.
PLACES = ["老旧小区", "背街小巷", "农贸市场", "社区广场", "学校周边", "城乡结合部", "村组道路", "安置小区", "商业街区",
          "河道沿线", "公交站台", "菜市场", "卫生院", "养老服务站", "文化礼堂", "产业园区", "集贸市场", "自然村"]
SUBJECTS = ["加装电梯", "停车难", "垃圾分类", "雨污分流", "路灯维修", "充电桩建设", "适老化改造", "物业管理", "噪音扰民",
            "占道经营", "饮水安全", "道路硬化", "防汛排涝", "消防通道", "快递柜设置", "托育服务", "公厕改造", "绿化提升",
            "电动车充电", "餐饮油烟", "校车接送", "医保报销", "就业帮扶", "农田水利", "秸秆禁烧", "集体经济"]
ISSUES = ["问题", "难题", "治理", "协商", "整治", "改造方案", "资金筹措", "长效管理", "群众诉求"]


def title(rng: random.Random, unit_name: str = "") -> str:
    return f"{unit_name}{rng.choice(PLACES)}{rng.choice(SUBJECTS)}{rng.choice(ISSUES)}"
