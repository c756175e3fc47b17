"""Table schemas declared as data: the contract between files and the library.

Each table that enters the library (the registry, areas, 低保 standards,
categories, campaign history, visits) is described here once: its canonical
column names, the kind of value, whether the column is required, its zh/en
labels, and the header aliases accepted in user files. Loaders and validators
read these declarations instead of scattering checks through the code.

Money columns are named ``*_fen`` inside the library and hold integer fen;
in files they are written in yuan under the alias names (e.g. ``cash_yuan``,
``慰问金``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reliefplan.core.text import header_key


@dataclass(frozen=True)
class Column:
    """One column of a table.

    kind: one of ``str``, ``code``, ``id_number``, ``int``, ``money``,
    ``decimal``, ``date``, ``bool``, ``category``, ``phone``.
    """

    name: str
    kind: str
    zh: str
    en: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    min_value: int | None = None


@dataclass(frozen=True)
class TableSchema:
    name: str
    zh: str
    en: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def alias_map(self) -> dict[str, str]:
        """Normalised header text -> canonical column name."""

        out: dict[str, str] = {}
        for col in self.columns:
            for alias in (col.name, col.zh, col.en, *col.aliases):
                out[header_key(alias)] = col.name
        return out


REGISTRY = TableSchema(
    "registry", "救助对象名单", "Beneficiary registry",
    (
        Column("name", "str", "姓名", "Name", True,
               ("名字", "对象姓名", "full_name", "成员姓名", "家庭成员姓名", "家庭成员", "人员姓名")),
        Column("id_number", "id_number", "身份证号", "ID number", True,
               ("身份证号码", "公民身份号码", "身份证", "证件号码", "id", "id_no", "idnumber",
                "身份证件号码", "公民身份证号码", "证件号", "成员身份证号", "成员身份证号码", "家庭成员身份证号")),
        Column("area_code", "code", "区划代码", "Area code", True,
               ("所属区划", "所属区划代码", "行政区划代码", "区划", "地区代码", "乡镇代码", "area",
                "所属乡镇", "乡镇", "乡镇街道", "所属乡镇街道", "area_name", "街道乡镇", "所在乡镇", "所在乡镇街道",
                "镇街", "所属镇街", "区划名称", "所属区划名称", "所在地区")),
        Column("category", "category", "困难类别", "Category", True,
               ("类别", "对象类别", "救助类别", "慰问对象类别", "困难类型", "type", "人员类别", "救助对象类别")),
        Column("household_size", "int", "家庭人口", "Household size", False,
               ("家庭人口数", "家庭人数", "户人口", "人口数", "hh_size", "人口", "家庭人口总数"), min_value=1),
        Column("income_fen", "money", "家庭人均月收入", "Monthly income per head", False,
               ("人均月收入", "家庭月人均收入", "月人均收入", "income", "income_yuan", "monthly_income",
                "收入", "月收入", "人均收入", "家庭人均收入", "人均月收入元")),
        Column("phone", "phone", "联系电话", "Phone", False, ("电话", "手机", "手机号", "联系方式", "mobile", "tel")),
        Column("organizer", "str", "填报单位", "Organizer", False,
               ("报送单位", "慰问单位", "组织单位", "单位", "主办单位", "org")),
        Column("address", "str", "家庭住址", "Address", False, ("住址", "地址", "居住地址")),
        Column("disabled", "bool", "是否残疾", "Disabled", False, ("残疾", "残疾人", "is_disabled")),
        Column("seriously_ill", "bool", "是否重病", "Seriously ill", False, ("重病", "大病", "is_seriously_ill")),
        Column("diagnosis", "str", "病情", "Diagnosis", False, ("疾病名称", "病种", "诊断")),
        Column("note", "str", "备注", "Note", False, ("说明", "remarks", "remark")),
        Column("delivery", "str", "发放方式", "Delivery mode", False, ("慰问方式", "发放形式", "delivery_mode")),
        # Household rosters (花名册): the head of household beside each member, and the member's relation.
        # A list with only 户主姓名/户主身份证号 (one row per household) reads them as the name and ID.
        Column("head_name", "str", "户主姓名", "Head of household", False, ("户主", "户主名称")),
        Column("head_id_number", "id_number", "户主身份证号", "Head's ID number", False,
               ("户主身份证号码", "户主公民身份号码", "户主身份证")),
        Column("relationship", "str", "与户主关系", "Relationship to the head", False,
               ("关系", "家庭关系", "与户主的关系", "成员关系", "称谓", "relationship")),
        Column("household_no", "str", "户编号", "Household number", False, ("户号", "家庭编号", "户序号", "户主编号")),
    ),
)

AREAS = TableSchema(
    "areas", "行政区划", "Areas",
    (
        Column("code", "code", "区划代码", "Area code", True),
        Column("name", "str", "名称", "Name", True),
        Column("name_en", "str", "英文名称", "English name", False),
        Column("parent_code", "code", "上级代码", "Parent code", False),
        Column("level", "str", "层级", "Level", True),  # city / county / township / village
        Column("urban_rural", "str", "城乡", "Urban/rural", True),  # urban / rural
        Column("edition", "int", "代码版本年份", "Code edition year", False),
        Column("former_names", "str", "曾用名", "Former names", False, ("原名称", "旧名称", "old_names")),
    ),
)

DIBAO = TableSchema(
    "dibao", "低保标准", "Minimum living guarantee standards",
    (
        Column("county_code", "code", "县级区划代码", "County code", True),
        Column("urban_rural", "str", "城乡", "Urban/rural", True),
        Column("effective_date", "date", "执行日期", "Effective date", True),
        Column("monthly_fen", "money", "低保标准(元/人/月)", "Standard (yuan/person/month)", True,
               ("monthly_yuan", "标准", "低保标准")),
    ),
)

CATEGORIES = TableSchema(
    "categories", "困难类别", "Categories",
    (
        Column("code", "str", "类别代码", "Category code", True),
        Column("zh", "str", "中文名称", "Chinese label", True),
        Column("en", "str", "英文名称", "English label", True),
        Column("priority", "int", "优先级", "Priority", True, min_value=1),
        Column("unit", "str", "计量单位", "Unit", True),  # person / household / enterprise
        Column("aliases", "str", "别名", "Aliases", False),
    ),
)

HISTORY = TableSchema(
    "history", "历年慰问记录", "Campaign history",
    (
        Column("year", "int", "年度", "Year", True, min_value=1990),
        Column("organizer", "str", "组织单位", "Organizer", True),
        Column("area_code", "code", "区划代码", "Area code", True),
        Column("category", "category", "困难类别", "Category", True),
        Column("funding_source", "str", "资金来源", "Funding source", True),
        Column("households", "int", "户数", "Households", True, min_value=0),
        Column("persons", "int", "人数", "Persons", True, min_value=0),
        Column("cash_fen", "money", "慰问金(元)", "Cash (yuan)", True, ("cash_yuan", "慰问金")),
        Column("goods_fen", "money", "慰问品(元)", "Goods (yuan)", True, ("goods_yuan", "慰问品")),
        Column("overhead_fen", "money", "工作经费(元)", "Overheads (yuan)", True, ("overhead_yuan", "工作经费")),
        Column("stated_total_fen", "money", "填报合计(元)", "Stated total (yuan)", False,
               ("stated_total_yuan", "合计", "填报合计")),
    ),
)

VISITS = TableSchema(
    "visits", "走访发放记录", "Visits and disbursements",
    (
        Column("campaign_year", "int", "活动年度", "Campaign year", True, min_value=1990),
        Column("id_number", "id_number", "身份证号", "ID number", True),
        Column("name", "str", "姓名", "Name", False),
        Column("area_code", "code", "区划代码", "Area code", True),
        Column("organizer", "str", "慰问单位", "Organizer", False),
        Column("category", "category", "困难类别", "Category", False),
        Column("visit_date", "date", "走访日期", "Visit date", True),
        Column("team", "str", "慰问组", "Team", False),
        Column("cash_fen", "money", "慰问金(元)", "Cash (yuan)", True, ("cash_yuan", "慰问金")),
        Column("goods_fen", "money", "慰问品(元)", "Goods (yuan)", True, ("goods_yuan", "慰问品")),
        Column("signed", "bool", "签收", "Signed receipt", True, ("signed_receipt", "是否签收")),
    ),
)

REGISTRY_CHANGES = TableSchema(
    "registry_changes", "对象变动记录", "Registry changes",
    (
        Column("id_number", "id_number", "身份证号", "ID number", True),
        Column("year", "int", "年度", "Year", True),
        Column("reason", "str", "原因", "Reason", True, ("变动原因",)),  # moved / died / no_longer_eligible
        Column("note", "str", "备注", "Note", False),
    ),
)

ALL = {s.name: s for s in (REGISTRY, AREAS, DIBAO, CATEGORIES, HISTORY, VISITS, REGISTRY_CHANGES)}
