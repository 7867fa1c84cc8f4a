"""Similar proposals while drafting (portal.similarity): quality and speed.

`similar-quality` — precision and recall at top 5 of the real lookup (`similarity.search` over
PostgreSQL, the GIN index, BM25, the labels) on
  (a) the reports' own cases: the 26 proposals and 20 社情民意 items of data/report_cases.json
      among 2,000 generated proposals; each case is looked up with its title as another member
      would type it (marks and wrapper changed, synonyms, a typo) — the case itself is the one
      right answer;
  (b) 3,000 generated proposals of which 300 have 1–2 paraphrased copies in the index; each of
      the 300 is looked up with a fresh paraphrase — the base and its copies are the right answers.
Precision counts what the box would show (at most 5, none below the cut); "strong" counts only
what it labels 高度相似 or 较为相似.

`similar-speed` — 200,000 generated proposals of one CPPCC unit (the worst case: every one in
scope), indexed; the median of 40 lookups of the box (`similar_proposals_for_draft` as proposal
staff: tokenizing, statistics, index, BM25, labels and the rows with their replies), drafts of
title + case + suggestions, half paraphrases of stored proposals, half new text. Floor: a single
indexed primary-key query, in the same run. Target: < 100 ms median.

Both build their data under their own units (codes `simq-…`, `sims-…`) and keep them for the next
run (the speed set takes minutes to write); `SIMILAR_BENCH_REBUILD=1` writes them anew."""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection

from bench import similar_data as gen
from bench.harness import Result, case, median_ms
from organizations.models import OrgUnit, Role, RoleAssignment, UnitKind

ROOT = Path(__file__).resolve().parent.parent
QUALITY_CORPUS = "bench.similar-quality"
N_SPEED = 200_000


def _unit(code: str, name: str) -> OrgUnit:
    from organizations.services import insert_unit

    unit = OrgUnit.objects.filter(code=code).first()
    return unit or insert_unit(parent=None, kind=UnitKind.COUNTY, name=name, code=code)


def _member_and_staff(unit: OrgUnit, tag: str):
    from members.models import Member

    User = get_user_model()
    staff, _ = User.objects.get_or_create(username=f"{tag}-staff")
    RoleAssignment.objects.get_or_create(user=staff, role=Role.PROPOSAL_STAFF, unit=unit)
    member = Member.objects.filter(org_unit=unit).first() or Member.objects.create(
        org_unit=unit, org_path=unit.path, name="基准委员", id_key=f"{tag}-member")
    return member, staff


def _write(unit, member, staff, docs, *, first_id=None, chunk=10_000, memo=None, progress=None):
    """COPY proposals (title, case, suggestions, status) with their words; returns their ids."""
    from portal.bulk import Copier, bulk_transaction, reserve_block
    from portal.similarity import document_terms
    from proposals.models import Proposal

    ids = []
    first = reserve_block(Proposal, len(docs)) if first_id is None else first_id
    for offset in range(0, len(docs), chunk):
        with bulk_transaction(), Copier(Proposal, explicit_ids=True) as copy:
            for i, (title, case_text, suggestions, status) in enumerate(docs[offset:offset + chunk]):
                pk = first + offset + i
                terms = memo(title, case_text, suggestions) if memo else document_terms(title, case_text, *suggestions)
                copy.row({"id": pk, "org_unit_id": unit.pk, "org_path": unit.path, "proposer_id": member.pk,
                          "submitted_by_id": staff.pk, "title": title[:200], "case": case_text,
                          "suggestions": suggestions, "status": status, "year": 2025, "version": 1,
                          "similarity_terms": terms})
                ids.append(pk)
        if progress:
            progress(offset + chunk)
    return ids


def _precision_recall(runs):
    """runs: [(shown [(pk, similarity)], relevant set)] → figures for every shown and strong ones."""
    out = {}
    for label, cut in (("all", 0.0), ("strong", 0.5)):
        shown = found = relevant = hit_queries = 0
        for results, right in runs:
            pks = [pk for pk, sim in results if sim >= cut]
            hits = len(set(pks) & right)
            shown += len(pks)
            found += hits
            relevant += len(right)
            hit_queries += bool(hits)
        out[label] = (found / shown if shown else 1.0, found / relevant if relevant else 0.0, shown)
    return out


def _quality_data(rebuild: bool):
    from portal import similarity
    from proposals.models import Proposal

    unit = _unit("simq-unit", "相似度基准（质量）")
    member, staff = _member_and_staff(unit, "simq")
    rng = random.Random(19)
    if rebuild or not Proposal.objects.filter(org_unit=unit).exists():
        Proposal.objects.filter(org_unit=unit).delete()
        cases = json.loads((ROOT / "data" / "report_cases.json").read_text(encoding="utf-8"))
        real = [(p["title_or_topic"], p.get("outcome") or "", []) for p in cases["proposals"]]
        real += [(s["title"], (s.get("note") or ""), []) for s in cases["public_opinion_items"] if s.get("title")]
        noise = [gen.render(gen.base(rng)) for _ in range(2_000)]
        bases = [gen.base(rng) for _ in range(3_000)]
        dup_of, copies = {}, []
        for i in rng.sample(range(len(bases)), 300):
            for _ in range(rng.randint(1, 2)):
                copies.append((i, gen.paraphrase(bases[i], rng)))
        docs = ([(*r, "registered") for r in real] + [(*n, "registered") for n in noise]
                + [(*gen.render(b), "registered") for b in bases] + [(*c, "registered") for _i, c in copies])
        ids = _write(unit, member, staff, docs)
        real_ids = ids[:len(real)]
        base_ids = ids[len(real) + len(noise):len(real) + len(noise) + len(bases)]
        copy_ids = ids[len(real) + len(noise) + len(bases):]
        for (i, _c), pk in zip(copies, copy_ids, strict=True):
            dup_of.setdefault(i, []).append(pk)
        key = {"real": list(zip(real_ids, [r[0] for r in real], [r[1] for r in real], strict=True)),
               "dups": {str(base_ids[i]): [bases[i]["slots"], bases[i]["title"], bases[i]["case"],
                                           bases[i]["suggestions"], pks] for i, pks in dup_of.items()}}
        (ROOT / "var").mkdir(exist_ok=True)
        (ROOT / "var" / "similar-quality.json").write_text(json.dumps(key, ensure_ascii=False), encoding="utf-8")
    similarity.stats_rebuild(corpus=QUALITY_CORPUS, terms=Proposal.objects.filter(org_unit=unit).values_list(
        "similarity_terms", flat=True).iterator(5000))
    key = json.loads((ROOT / "var" / "similar-quality.json").read_text(encoding="utf-8"))
    return unit, key


@case("similar-quality")
def similar_quality(*, seed):
    from portal import similarity
    from proposals.models import Proposal

    rebuild = os.environ.get("SIMILAR_BENCH_REBUILD") == "1"
    unit, key = _quality_data(rebuild)
    qs = Proposal.objects.filter(org_unit=unit)
    rng = random.Random(2019)

    def look(title, text=""):
        return [(m.pk, m.similarity) for m in similarity.search(qs, corpus=QUALITY_CORPUS, title=title, text=text)]

    real_runs = []
    for pk, title, outcome in key["real"]:
        query = gen.perturb_title(title, rng)
        real_runs.append((look(query, gen.perturb_text(outcome, rng) if outcome else ""), {pk}))
    dup_runs = []
    for base_pk, (slots, title, case_lines, suggestions, copies) in key["dups"].items():
        doc = {"slots": slots, "title": title, "case": case_lines, "suggestions": suggestions}
        t, text, sugg = gen.paraphrase(doc, rng)
        dup_runs.append((look(t, text + "\n" + "\n".join(sugg)), {int(base_pk), *copies}))
    # The member has typed the title only (the box appears from the first words on).
    title_runs = []
    for base_pk, (slots, title, case_lines, suggestions, copies) in key["dups"].items():
        doc = {"slots": slots, "title": title, "case": case_lines, "suggestions": suggestions}
        t, _text, _sugg = gen.paraphrase(doc, rng)
        title_runs.append((look(t), {int(base_pk), *copies}))
    r, d, t = _precision_recall(real_runs), _precision_recall(dup_runs), _precision_recall(title_runs)

    def fmt(x):
        return f"P@5 {x[0]:.2f} / R@5 {x[1]:.2f}"

    figure = (f"report cases ({len(real_runs)}): {fmt(r['all'])}; generated duplicates ({len(dup_runs)} drafts): "
              f"{fmt(d['all'])}; strong labels only: {fmt(d['strong'])}")
    note = (f"title typed only: {fmt(t['all'])}, strong {fmt(t['strong'])}; report cases strong: {fmt(r['strong'])}; "
            f"index: {qs.count():,} proposals (26 + 20 real, 2,000 noise, 3,000 bases, "
            f"{sum(len(v[4]) for v in key['dups'].values())} copies)")
    ok = d["all"][1] >= 0.9 and r["all"][1] >= 0.8
    return Result("Similar proposals: precision and recall at top 5", figure, "—", d["all"][1],
                  "recall@5 ≥ 0.9 on duplicates, ≥ 0.8 on report cases", ok, note)


def _speed_data(rebuild: bool):
    from portal import similarity
    from portal.bulk import Progress
    from proposals.models import Proposal

    unit = _unit("sims-unit", "相似度基准（速度）")
    member, staff = _member_and_staff(unit, "sims")
    have = Proposal.objects.filter(org_unit=unit).count()
    rng = random.Random(200_000)
    bases = [gen.base(rng) for _ in range(N_SPEED)]
    if rebuild or have != N_SPEED:
        Proposal.objects.filter(org_unit=unit).delete()
        # Words per sentence, memoised: 200,000 drafts share their sentences' shapes, and jieba
        # over 200,000 whole texts would take most of an hour on a shared machine.
        cache: dict[str, list[str]] = {}

        def words(piece):
            if piece not in cache:
                cache[piece] = similarity.tokenize(piece)
            return cache[piece]

        def memo(title, case_text, suggestions):
            head = words(title)
            body = [w for s in case_text.split("。") for w in words(s)] + [w for s in suggestions for w in words(s)]
            all_words = (head + head + body)[:similarity.MAX_TERMS]
            return f" {' '.join(all_words)} "

        progress = Progress(__import__("sys").stdout, "similar bench", N_SPEED)
        docs = [(*gen.render(b), "handling") for b in bases]
        _write(unit, member, staff, docs, memo=memo, progress=lambda n: progress.add(min(10_000, N_SPEED)))
        progress.finish()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE proposals_proposal")
    similarity.stats_rebuild(corpus="proposals.proposal", terms=Proposal.objects.values_list(
        "similarity_terms", flat=True).iterator(5000))
    return unit, staff, bases, rng


@case("similar-speed")
def similar_speed(*, seed):
    from proposals import similar
    from proposals.models import Proposal

    unit, staff, bases, rng = _speed_data(os.environ.get("SIMILAR_BENCH_REBUILD") == "1")
    first_pk = Proposal.objects.filter(org_unit=unit).order_by("pk").values_list("pk", flat=True)[0]
    drafts, expected = [], []
    for i in range(40):
        if i % 2:
            j = rng.randrange(N_SPEED)
            t, text, sugg = gen.paraphrase(bases[j], rng)
            expected.append(first_pk + j)  # ids were written in one contiguous block, in order
        else:
            t, text, sugg = gen.render(gen.base(rng))
            expected.append(None)
        drafts.append((t, text + "\n" + "\n".join(sugg)))
    some_pk = first_pk + N_SPEED // 2

    def lookup(draft):
        return similar.similar_proposals_for_draft(user=staff, unit=unit, title=draft[0], text=draft[1])

    for d in drafts[:3]:
        lookup(d)  # warm: jieba's dictionary, the connection, the plan cache
    samples, cpu, found = [], [], []
    for d, want in zip(drafts, expected, strict=True):
        start, start_cpu = time.perf_counter(), time.process_time()
        rows = lookup(d)
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        if want is not None:
            found.append(want in [r.pk for r in rows])
    median = statistics.median(samples)
    p90 = sorted(samples)[int(len(samples) * 0.9)]
    floor = median_ms(lambda: list(Proposal.objects.filter(pk=some_pk).values_list("title", flat=True)), repeat=41)
    # The member has typed the title only: the box appears from the first words on.
    title_samples, title_found = [], []
    for d, want in zip(drafts, expected, strict=True):
        start = time.perf_counter()
        rows = similar.similar_proposals_for_draft(user=staff, unit=unit, title=d[0], text="")
        title_samples.append((time.perf_counter() - start) * 1000)
        if want is not None:
            title_found.append(want in [r.pk for r in rows])
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return Result(f"Similar proposals: one lookup at {N_SPEED:,} proposals in scope (PostgreSQL)",
                  f"{median:.1f} ms median, p90 {p90:.1f} ms (title only: {statistics.median(title_samples):.1f} ms)",
                  f"{floor:.2f} ms primary-key query", median / floor, "< 100 ms median", median < 100,
                  f"{len(samples)} drafts (half paraphrases of stored proposals, half new text); "
                  f"the paraphrased proposal in the top 5: {sum(found)}/{len(found)} "
                  f"(title only: {sum(title_found)}/{len(title_found)}); "
                  f"Python CPU per lookup {statistics.median(cpu):.1f} ms median; load average {load}")

