"""National code lists the registry uses (GB/T 2261 sex, GB 3304 ethnicity, GB/T 4761 relation, …)."""

from django.db import models


class Sex(models.TextChoices):  # GB/T 2261.1
    UNKNOWN = "0", "未知的性别"
    MALE = "1", "男"
    FEMALE = "2", "女"
    UNSPECIFIED = "9", "未说明的性别"


class MaritalStatus(models.TextChoices):  # GB/T 2261.2
    UNMARRIED = "10", "未婚"
    MARRIED = "20", "已婚"
    WIDOWED = "30", "丧偶"
    DIVORCED = "40", "离婚"
    UNSPECIFIED = "90", "未说明的婚姻状况"


# GB 3304 中国各民族名称的罗马字母拼写法和代码 (numeric codes).
ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族",
    "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族",
    "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族",
    "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
]  # fmt: skip
ETHNICITY_CHOICES = [(f"{i:02d}", name) for i, name in enumerate(ETHNICITIES, start=1)] + [
    ("97", "其他"),
    ("98", "外国血统中国籍人士"),
]

# GB/T 4761 家庭关系代码 (the codes a household register uses).
RELATION_CHOICES = [
    ("01", "户主"), ("02", "配偶"), ("10", "子"), ("17", "养子或继子"), ("20", "女"), ("27", "养女或继女"),
    ("30", "孙子、孙女或外孙子、外孙女"),
    ("40", "父母"), ("50", "祖父母或外祖父母"), ("60", "兄、弟、姐、妹"), ("70", "儿媳"), ("71", "女婿"),
    ("80", "其他亲属"), ("99", "非亲属"),
]  # fmt: skip
HEAD = "01"


class LabourAbility(models.TextChoices):
    ABLE = "able", "有劳动能力"
    PARTIAL = "partial", "部分丧失劳动能力"
    UNABLE = "unable", "无劳动能力"


class Health(models.TextChoices):
    HEALTHY = "healthy", "健康"
    CHRONIC = "chronic", "患慢性病"
    SERIOUS = "serious", "患重病"
    DISABLED = "disabled", "残疾"


class DisabilityCategory(models.TextChoices):  # 残疾人证 categories
    VISUAL = "1", "视力残疾"
    HEARING = "2", "听力残疾"
    SPEECH = "3", "言语残疾"
    PHYSICAL = "4", "肢体残疾"
    INTELLECTUAL = "5", "智力残疾"
    MENTAL = "6", "精神残疾"
    MULTIPLE = "7", "多重残疾"


class Education(models.TextChoices):  # GB/T 4658, first level
    NONE = "90", "其他（含未上学）"
    PRIMARY = "80", "小学"
    JUNIOR = "70", "初中"
    SENIOR = "60", "高中/中专"
    COLLEGE = "30", "大学专科"
    BACHELOR = "20", "大学本科"
    GRADUATE = "10", "研究生"


SPECIAL_STATUSES = {
    "left_behind_child": "农村留守儿童",
    "left_behind_elderly": "农村留守老年人",
    "living_alone": "独居老年人",
    "empty_nest": "空巢老年人",
    "dependent": "失能人员",
    "semi_dependent": "半失能人员",
    "orphan": "孤儿",
    "unsupported_child": "事实无人抚养儿童",
    "distressed_child": "困境儿童",
    "poverty_monitoring": "防返贫监测对象",
}


class HouseholdType(models.TextChoices):
    FAMILY = "family", "家庭户"
    COLLECTIVE = "collective", "集体户"


class EventKind(models.TextChoices):
    REGISTER = "register", "登记"
    UPDATE = "update", "信息变更"
    BIRTH = "birth", "出生"
    DEATH = "death", "死亡"
    MOVE_IN = "move_in", "迁入"
    MOVE_OUT = "move_out", "迁出"
    SPLIT = "split", "分户"
    MERGE = "merge", "合户"
    HEAD_CHANGE = "head_change", "变更户主"
    PERSON_MERGE = "person_merge", "合并重复人员"
    CLOSE = "close", "注销"
    IMPORT = "import", "台账导入"
