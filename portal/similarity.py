"""Similar texts, offline: "which earlier proposals (社情民意 items, hall submissions) read like
this one?" — answered while someone types, at 200,000 records in well under 100 ms on PostgreSQL.

How it works (see docs/similar-proposals.md for the reasoning and the measured quality):

1. **Words.** ``tokenize()`` segments Chinese with jieba's search mode over its bundled dictionary
   (no model is downloaded), keeps words of two or more characters, drops a short list of words
   every proposal uses (关于, 建议, 加强 …). A record's words are stored in its
   ``similarity_terms`` text column, space-separated, the title's words twice (titles say what
   a proposal is about), capped at ``MAX_TERMS``.
2. **Index.** On PostgreSQL a GIN index over ``string_to_array(similarity_terms, ' ')`` (created
   by the app's migration) finds every record containing any of a set of words. On SQLite (the
   embedded default) the same question is a ``LIKE '% word %'`` scan of the scoped rows: slower,
   same answers.
3. **Statistics.** ``SimilarityTerm`` holds each word's document frequency per corpus and
   ``SimilarityCorpus`` the number of documents and their total length — BM25's inputs, kept
   exact by ``stats_update()`` in the same transaction as the write (rows locked in term order,
   so two writers never deadlock), rebuilt by ``manage.py similarity_reindex``.
4. **Lookup.** ``search()`` takes the query's rarest words until their document frequencies add
   up to ``CANDIDATE_BUDGET`` (rare words are what a duplicate keeps; if the rarest alone exceeds it,
   the records having the rarest two or three together), fetches at most ``POOL``
   candidate rows of the caller's *already scoped* queryset through the index, ranks them with
   BM25 over all the query's words in Python, and labels the best with how alike they read
   (0…1: the better of the texts' tf-idf cosine and the titles' weighted Dice — the latter
   discounted once the draft has a body; shown as words by ``{{ x|similarity }}``), dropping
   those below ``MIN_SIMILARITY``.

Apps register their corpora (``register_corpus``) so the reindex command can rebuild them;
infrastructure never imports an app."""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL

MAX_QUERY_CHARS = 4000  # what a lookup reads of a draft (the title and the start of the body)
MAX_DOC_CHARS = 6000  # what is indexed of a record
MAX_TERMS = 1500  # words stored per record
MAX_TERM_LEN = 30
CANDIDATE_BUDGET = 1000  # sum of the chosen words' document frequencies: bounds the rows the index returns
MAX_QUERY_TERMS = 40  # at most this many words go to the index
MAX_TOGETHER = 3  # when one word alone exceeds the budget, records having up to this many rarest words together
POOL = CANDIDATE_BUDGET  # candidate rows ranked in Python: all of them, unless one word alone exceeds the budget
MIN_SIMILARITY = 0.3  # below this a match is not shown at all
K1, B = 1.2, 0.75
BODY_WORDS = 10  # a draft with fewer body words than this is judged by its title alone
TITLE_WEIGHT_WITH_BODY = 0.8  # bench similar-quality: precision up at equal recall; lower hides short earlier texts

# Words nearly every proposal or item uses: they would match everything and say nothing.
_STOPWORDS = """
关于 建议 提案 意见 问题 进一步 加强 加快 推进 推动 提升 完善 做好 实施 切实 积极 有关 相关 工作 情况 方面
我们 我市 我区 我县 我省 目前 当前 一些 存在 进行 通过 以及 还是 但是 因此 所以 其中 由于 对于 为了 如何
一个 一是 二是 三是 四是 五是 没有 不断 需要 应该 可以 能够 已经 这个 这些 那些 主要 重要 有效 全面 持续
部门 政府 有关部门 单位 同志 委员 政协 群众 提出 要求 措施 办法 等等 以上 以下 之一 不是 就是
"""
STOPWORDS = frozenset(_STOPWORDS.split())

_HAS_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaffa-z0-9]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Single characters that only glue words together: never part of a character pair.
_FUNCTION_CHARS = frozenset("的了是在和与及或等对把被将从向为以于之其而且也就都还又并由让给使这那有个各每该")

log = logging.getLogger(__name__)
_jieba = None
_jieba_lock = threading.Lock()


def _segmenter():
    """jieba, loaded once per process (its dictionary takes about a second to load)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def tokenize(text: str, *, limit: int = MAX_QUERY_CHARS) -> list[str]:
    """The words of `text` that say something, in order (repeats kept: BM25 counts them)."""
    if not text:
        return []
    text = unicodedata.normalize("NFKC", str(text)[:limit]).lower()
    words, run = [], []

    def close_run():
        # Characters the dictionary does not join (a name, "老旧") become character pairs:
        # jieba's HMM would guess such words too, but slower and less predictably.
        words.extend(run[i] + run[i + 1] for i in range(len(run) - 1))
        run.clear()

    for word in _segmenter().lcut_for_search(text, HMM=False):
        word = word.strip()
        if len(word) == 1 and _CJK.match(word) and word not in _FUNCTION_CHARS:
            run.append(word)
            continue
        close_run()
        if len(word) < 2 or len(word) > MAX_TERM_LEN or word in STOPWORDS or not _HAS_WORD.search(word):
            continue
        words.append(word)
    close_run()
    return words


def document_words(title: str, *parts: str, limit: int = MAX_DOC_CHARS) -> list[str]:
    """A record's (or a draft's) words: the title's twice, then the body's."""
    head = tokenize(title, limit=400)
    body = tokenize("\n".join(p for p in parts if p), limit=limit)
    return (head + head + body)[:MAX_TERMS]


def document_terms(title: str, *parts: str) -> str:
    """The value of a ``similarity_terms`` column: words between single spaces, with a space at
    both ends so that ``LIKE '% word %'`` finds whole words on SQLite."""
    words = document_words(title, *parts)
    return f" {' '.join(words)} " if words else ""


# ── Corpus statistics ─────────────────────────────────────────────────────────────────────


def terms_refresh(record, *, corpus: str, document) -> bool:
    """Recompute `record`'s words (``document(record)`` gives its title and other texts) and the
    corpus statistics; the caller saves ``similarity_terms``. Returns whether they changed."""
    title, parts = document(record)
    terms = document_terms(title, *parts)
    if terms == record.similarity_terms:
        return False
    stats_update(corpus=corpus, old=record.similarity_terms, new=terms)
    record.similarity_terms = terms
    return True


def _distinct(terms: str) -> set[str]:
    return set((terms or "").split())


def stats_update(*, corpus: str, old: str, new: str) -> None:
    """Keep the document frequencies of `corpus` exact after one record's terms changed from
    `old` to `new` ("" for a new record). Call inside the write's transaction."""
    from portal.models import SimilarityCorpus, SimilarityTerm

    if old == new:
        return
    before, after = _distinct(old), _distinct(new)
    added, removed = sorted(after - before), sorted(before - after)
    delta_docs = (1 if new else 0) - (1 if old else 0)
    delta_len = len((new or "").split()) - len((old or "").split())
    with transaction.atomic():
        if added:
            SimilarityTerm.objects.bulk_create([SimilarityTerm(corpus=corpus, term=t, df=0) for t in added],
                                               ignore_conflicts=True)
        touched = sorted(set(added) | set(removed))
        if touched:
            # Lock in term order: two writers sharing words wait for each other, never deadlock.
            list(SimilarityTerm.objects.select_for_update().filter(corpus=corpus, term__in=touched)
                 .order_by("term").values_list("pk", flat=True))
            if added:
                SimilarityTerm.objects.filter(corpus=corpus, term__in=added).update(df=F("df") + 1)
            if removed:
                SimilarityTerm.objects.filter(corpus=corpus, term__in=removed, df__gt=0).update(df=F("df") - 1)
        if delta_docs or delta_len:
            counts = {"docs": F("docs") + delta_docs, "length": F("length") + delta_len}
            if not SimilarityCorpus.objects.filter(corpus=corpus).update(**counts):  # the corpus's first record
                SimilarityCorpus.objects.get_or_create(corpus=corpus)
                SimilarityCorpus.objects.filter(corpus=corpus).update(**counts)


def stats_rebuild(*, corpus: str, terms: Iterable[str], registry=None) -> tuple[int, int]:
    """Replace the statistics of `corpus` with those of `terms` (one value per record).
    Returns (documents, distinct words). `registry` is a migration's `apps`."""
    from django.apps import apps

    registry = registry or apps
    SimilarityTerm = registry.get_model("portal", "SimilarityTerm")
    SimilarityCorpus = registry.get_model("portal", "SimilarityCorpus")

    df: Counter[str] = Counter()
    docs = length = 0
    for value in terms:
        words = (value or "").split()
        if not words:
            continue
        docs += 1
        length += len(words)
        df.update(set(words))
    with transaction.atomic():
        SimilarityTerm.objects.filter(corpus=corpus).delete()
        SimilarityTerm.objects.bulk_create((SimilarityTerm(corpus=corpus, term=t, df=n) for t, n in df.items()),
                                           batch_size=5000)
        SimilarityCorpus.objects.update_or_create(corpus=corpus, defaults={"docs": docs, "length": length})
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Every row was just replaced: without fresh statistics the planner reads the words of a
        # lookup through the corpus alone (thousands of rows filtered) until autovacuum comes by.
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{SimilarityTerm._meta.db_table}"')
    return docs, len(df)


# ── Lookup ────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Match:
    pk: int
    score: float  # BM25
    similarity: float  # 0…1: how alike they read (cosine of the texts or weighted Dice of the titles)


def _idf(n_docs: int, df: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def _index_filter(queryset: QuerySet, field: str, terms: list[str], *, every: bool = False):
    """Records containing any of `terms` (all of them with `every`), through the GIN index."""
    if connection.vendor == "postgresql":
        column = queryset.model._meta.get_field(field).column
        table = queryset.model._meta.db_table
        # The expression must read exactly like the index's (see the apps' migrations).
        operator = "@>" if every else "&&"
        return RawSQL(f'string_to_array("{table}"."{column}", \' \') {operator} %s::text[]', (terms,),
                      output_field=BooleanField())
    if every:
        q = Q()
        for term in terms:
            q &= Q(**{f"{field}__contains": f" {term} "})
        return q
    q = Q(pk__in=[])
    for term in terms:
        q |= Q(**{f"{field}__contains": f" {term} "})
    return q


def _statistics(corpus: str, terms: list[str]) -> tuple[int, int, dict[str, int]]:
    """The corpus size and the document frequencies of `terms`, in one query."""
    from portal.models import SimilarityCorpus, SimilarityTerm

    corpora, words = SimilarityCorpus._meta.db_table, SimilarityTerm._meta.db_table
    marks = ", ".join(["%s"] * len(terms))
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT c."docs", c."length", t."term", t."df" FROM "{corpora}" c '
                       f'LEFT JOIN "{words}" t ON t."corpus" = c."corpus" AND t."term" IN ({marks}) '
                       f'WHERE c."corpus" = %s', [*terms, corpus])
        rows = cursor.fetchall()
    if not rows:
        return 0, 0, {}
    return rows[0][0], rows[0][1], {term: df for _d, _l, term, df in rows if term is not None}


@functools.lru_cache(maxsize=4096)
def _title_words(title: str) -> frozenset[str]:
    """A stored record's title words (the same titles come back lookup after lookup)."""
    return frozenset(tokenize(title, limit=400))


def search(queryset: QuerySet, *, corpus: str, title: str = "", text: str = "", field: str = "similarity_terms",
           title_field: str = "title", limit: int = 5, min_similarity: float = MIN_SIMILARITY) -> list[Match]:
    """The records of `queryset` (already scoped by the caller) most similar to a draft with this
    `title` and `text`, best first, at most `limit`, none below `min_similarity`.
    Three queries: the corpus size with the query words' statistics, the candidates, the
    statistics of the best candidates' other words (for their similarity)."""
    from portal.models import SimilarityTerm

    title = str(title or "")[:400]
    query = document_words(title, str(text or ""), limit=MAX_QUERY_CHARS)
    if not query:
        return []
    q_tf = Counter(query)
    n_docs, total_len, df = _statistics(corpus, sorted(q_tf))
    if not n_docs:
        return []
    avgdl = max(total_len / n_docs, 1.0)
    idf_of: dict[str, float] = {}

    def idf(term):
        value = idf_of.get(term)
        if value is None:
            value = idf_of[term] = _idf(n_docs, df.get(term, 0))
        return value

    # The rarest words that occur at all, until their postings would exceed the budget.
    known = sorted((t for t in q_tf if df.get(t)), key=lambda t: (df[t], t))
    chosen, spent = [], 0
    for t in known:
        if chosen and (spent + df[t] > CANDIDATE_BUDGET or len(chosen) >= MAX_QUERY_TERMS):
            break
        chosen.append(t)
        spent += df[t]
    if not chosen:
        return []
    # No ORDER BY: with one the planner walks the primary key and splits every row's words
    # until it has enough (565 ms at 200,000 rows); without it, and with the GIN index free of a
    # pending list (migration proposals 0010), it takes the index's bitmap (≈ 1–3 ms).
    def candidates(terms, every=False):
        return list(queryset.filter(_index_filter(queryset, field, terms, every=every)).order_by().values_list(
            "pk", field, title_field)[:POOL])

    rows = None
    if spent > CANDIDATE_BUDGET and len(known) > 1:
        # The rarest word alone is in more records than the budget (a title typed alone, made of
        # common words: 老旧小区加装电梯): any POOL of them would be an arbitrary sample. Ask for
        # the records having the rarest words *together* until their expected number is within
        # the budget; only if fewer than `limit` records have them all, fall back to the rarest.
        # Words inside one another (桃园 / 桃园路, jieba's search mode gives both) count once.
        together, expected = [], float(n_docs)
        for t in known:
            if any(t in u or u in t for u in together):
                continue
            together.append(t)
            expected *= df[t] / n_docs
            if expected <= CANDIDATE_BUDGET or len(together) >= MAX_TOGETHER:
                break
        rows = candidates(together, every=True)
        if len(rows) < limit:
            rows = None
    if rows is None:
        rows = candidates(chosen)
    # BM25 over all the query's words. Per candidate: its words counted in C (Counter), then
    # only the words it shares with the query are scored, in the query's order.
    q_weight = {t: idf(t) * (K1 + 1) * n for t, n in q_tf.items()}
    q_terms = q_tf.keys()
    norm_base, norm_len = K1 * (1 - B), K1 * B / avgdl
    ranked = []
    for pk, terms, doc_title in rows:
        words_of_doc = (terms or "").split()
        tf = Counter(words_of_doc)
        shared = q_terms & tf.keys()
        if not shared:
            continue
        norm = norm_base + norm_len * (len(words_of_doc) or 1)
        score = sum(q_weight[t] * tf[t] / (tf[t] + norm) for t in sorted(shared))
        ranked.append((score, pk, tf, doc_title))
    ranked.sort(key=lambda r: (-r[0], -r[1]))
    best = ranked[: limit * 3]
    if not best:
        return []

    # How alike they read, 0…1: the better of the titles' and the whole texts' likeness.
    unseen = {w for _s, _pk, tf, _t in best for w in tf} - set(df)
    if unseen:
        df.update(SimilarityTerm.objects.filter(corpus=corpus, term__in=sorted(unseen)).values_list("term", "df"))
    title_words = tokenize(title, limit=400)
    q_title = set(title_words)
    # While only a title is typed the titles' likeness decides; once the body has substance the
    # texts' cosine does (same titles on different matters are common: 关于老旧小区加装电梯的建议).
    title_weight = 1.0 if len(query) - 2 * len(title_words) < BODY_WORDS else TITLE_WEIGHT_WITH_BODY
    q_vec = _weights(q_tf, idf)
    matches = []
    for score, pk, tf, doc_title in best:
        alike = _cosine(q_vec, _weights(tf, idf))
        if q_title:
            alike = max(alike, title_weight * _dice(q_title, _title_words(doc_title or ""), idf))
        if alike >= min_similarity:
            matches.append(Match(pk=pk, score=round(score, 3), similarity=round(min(alike, 1.0), 2)))
    matches.sort(key=lambda m: (-m.similarity, -m.score, -m.pk))
    return matches[:limit]


def _weights(tf: Counter, idf) -> dict[str, float]:
    return {t: (1 + math.log(n)) * idf(t) for t, n in tf.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(w * b[t] for t, w in a.items() if t in b)
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))


def _dice(a: set[str], b: set[str], idf) -> float:
    """Weighted Dice of two titles' words: rare shared words count most."""
    if not a or not b:
        return 0.0
    shared = sum(idf(t) for t in a & b)
    return 2 * shared / (sum(idf(t) for t in a) + sum(idf(t) for t in b))


# ── Registry, for the reindex command ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class Corpus:
    name: str
    model: str  # "app_label.Model"
    document: Callable  # (record) -> (title, [body parts])
    prefetch: tuple[str, ...] = ()


CORPORA: dict[str, Corpus] = {}


def register_corpus(corpus: Corpus) -> None:
    CORPORA[corpus.name] = corpus


def reindex(corpus: Corpus, *, chunk: int = 2000, stdout=None, registry=None) -> tuple[int, int]:
    """Recompute every record's terms of `corpus` and its statistics. Chunked by primary key, so
    memory stays bounded; each chunk is one transaction of bulk updates. `registry` is a
    migration's `apps` when a migration backfills."""
    from django.apps import apps

    registry = registry or apps
    model = registry.get_model(corpus.model)
    last, done = 0, 0
    while True:
        batch = list(model.objects.filter(pk__gt=last).order_by("pk").prefetch_related(*corpus.prefetch)[:chunk])
        if not batch:
            break
        changed = []
        for record in batch:
            title, parts = corpus.document(record)
            terms = document_terms(title, *parts)
            if terms != record.similarity_terms:
                record.similarity_terms = terms
                changed.append(record)
        with transaction.atomic():
            model.objects.bulk_update(changed, ["similarity_terms"], batch_size=500)
        last, done = batch[-1].pk, done + len(batch)
        if stdout is not None:
            stdout.write(f"\r  {corpus.name}: {done:,} records")
    result = stats_rebuild(corpus=corpus.name, registry=registry,
                           terms=model.objects.order_by().values_list("similarity_terms", flat=True).iterator(5000))
    if stdout is not None:
        stdout.write(f"\r  {corpus.name}: {result[0]:,} records indexed, {result[1]:,} distinct words\n")
    return result
