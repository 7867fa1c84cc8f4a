"""Generated proposals with known duplicates, for the similar-proposals bench (cases_similar.py).

Every base proposal is about one subject in one kind of place (老旧小区 · 加装电梯) *and* one
concrete spot (a street and a community with a made-up name, numbers): proposals on the same
subject elsewhere share the generic wording but not the specifics, as real ones do. A duplicate
is a paraphrase of a base: words swapped for synonyms, the title rephrased, sentences reordered,
one dropped, a filler added, a typo or two — the specifics mostly kept."""

from __future__ import annotations

import random

from portal.bulk import ISSUES, PLACES, SUBJECTS

STREETS = ["淮海", "人民", "解放", "长江", "黄山", "濉溪", "相山", "古城", "南湖", "东山", "西园", "北苑", "滨河", "和平",
           "建设", "朝阳", "迎宾", "翠峰", "凤凰", "龙潭", "桃园", "杏花", "青年", "幸福", "振兴", "光明", "团结", "前进"]
ESTATES = ["花园", "新村", "家园", "佳苑", "雅居", "名城", "丽景", "锦绣", "华庭", "春晓", "御景", "康居", "馨园",
           "秀水", "金桥", "银河", "星光", "书香", "怡和", "安澜"]
TITLES = ["关于{place}{subject}的建议", "关于解决{spot}{subject}问题的提案", "{place}{subject}{issue}亟待破解",
          "关于推进{place}{subject}工作的建议", "加快{spot}{subject}的建议", "{spot}{subject}难题需重视"]
CASE = [
    "{spot}建成于{year}年，共有住户{n}户，{subject}问题长期得不到解决。",
    "据走访了解，{spot}周边{subject}{issue}突出，居民多次通过热线反映。",
    "{place}{subject}涉及规划、住建、城管等多个部门，职责交叉，推进缓慢。",
    "目前{spot}仅有{m}处设施，远不能满足{n}名居民的日常需要。",
    "部分{place}资金筹措渠道单一，后续管护责任不明确。",
    "{year}年以来，{spot}因{subject}引发的矛盾纠纷达{m}起。",
    "群众对{subject}期盼强烈，希望尽快列入民生实事项目。",
    "现行政策对{place}{subject}的补助标准偏低，审批环节多、周期长。",
]
SUGGESTIONS = [
    "明确牵头部门，建立{subject}联席会议制度。", "设立{subject}专项资金，按{m}%比例给予补助。",
    "简化{place}{subject}审批流程，推行一站式办理。", "将{spot}列入{year}年改造计划，限期完成。",
    "发挥社区网格员作用，建立长效管护机制。", "引入社会资本参与{place}{subject}，探索市场化运作。",
    "加强宣传引导，凝聚居民共识。", "建立{subject}办理情况定期通报和回访制度。",
]
# A paraphrase's vocabulary: (word, substitute), each swapped with probability one half.
SYNONYMS = [("建议", "提案"), ("加快", "加速"), ("推进", "推动"), ("解决", "破解"), ("问题", "难题"), ("居民", "群众"),
            ("资金", "经费"), ("部门", "单位"), ("明确", "确定"), ("建立", "构建"), ("设立", "设置"), ("简化", "精简"),
            ("审批", "审核"), ("流程", "程序"), ("长期", "长久"), ("突出", "明显"), ("反映", "反馈"), ("尽快", "早日"),
            ("引入", "吸引"), ("补助", "补贴"), ("加强", "强化"), ("偏低", "较低"), ("多次", "屡次"), ("推行", "实行"),
            ("日常", "日常生活"), ("期盼", "期待"), ("探索", "尝试"), ("完成", "办结"), ("列入", "纳入"), ("周期", "时间")]
FILLERS = ["此事关系群众切身利益，社会关注度高。", "希望有关方面高度重视，认真研究办理。",
           "该问题在全市具有一定代表性。", "委员在调研中对此深有体会。"]
TYPO_CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"


def spot(rng: random.Random) -> str:
    return f"{rng.choice(STREETS)}路{rng.choice(ESTATES)}{rng.choice(['小区', '社区', '片区', '村'])}"


def base(rng: random.Random) -> dict:
    """A base proposal: its slots and its text."""
    slots = {"place": rng.choice(PLACES), "subject": rng.choice(SUBJECTS), "issue": rng.choice(ISSUES),
             "spot": spot(rng), "year": rng.randint(1985, 2024), "n": rng.randint(80, 3000), "m": rng.randint(2, 40)}
    case = rng.sample(CASE, rng.randint(3, 5))
    suggestions = rng.sample(SUGGESTIONS, rng.randint(3, 5))
    return {"slots": slots, "title": rng.choice(TITLES), "case": case, "suggestions": suggestions}


def render(doc: dict) -> tuple[str, str, list[str]]:
    s = doc["slots"]
    return (doc["title"].format(**s), "".join(c.format(**s) for c in doc["case"]),
            [x.format(**s) for x in doc["suggestions"]])


def _swap(text: str, rng: random.Random) -> str:
    for word, other in SYNONYMS:
        if word in text and rng.random() < 0.5:
            text = text.replace(word, other)
    return text


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(len(text))
    return text[:i] + rng.choice(TYPO_CHARS) + text[i + 1:]


def paraphrase(doc: dict, rng: random.Random) -> tuple[str, str, list[str]]:
    """A duplicate of `doc` written by someone else: same subject and spot, other words."""
    other = dict(doc, title=rng.choice([t for t in TITLES if t != doc["title"]]))
    case = list(doc["case"])
    rng.shuffle(case)
    if len(case) > 3 and rng.random() < 0.6:
        case.pop()
    suggestions = list(doc["suggestions"])
    rng.shuffle(suggestions)
    if len(suggestions) > 3:
        suggestions.pop()
    other["case"], other["suggestions"] = case, suggestions
    title, text, sugg = render(other)
    text = _swap(text, rng) + (rng.choice(FILLERS) if rng.random() < 0.5 else "")
    for _ in range(rng.randint(0, 2)):
        text = _typo(text, rng)
    return _swap(title, rng), text, [_swap(x, rng) for x in sugg]


def perturb_title(title: str, rng: random.Random) -> str:
    """A real case's title as another member would type it: without the book-title marks, with
    another wrapper, synonyms, perhaps a typo."""
    core = title.strip("《》“”\"")
    for prefix in ("关于",):
        core = core.removeprefix(prefix)
    for suffix in ("的建议", "的提案", "提案", "建议"):
        core = core.removesuffix(suffix)
    core = _swap(core, rng)
    if rng.random() < 0.5:
        core = _typo(core, rng)
    return rng.choice(["关于{}的建议", "{}", "关于{}的提案", "建议{}"]).format(core)


def perturb_text(text: str, rng: random.Random) -> str:
    parts = [p for p in text.replace("；", "。").split("。") if p]
    rng.shuffle(parts)
    return _typo(_swap("。".join(parts), rng), rng)
