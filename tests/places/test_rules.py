"""The pure rules: the standard pinyin, the check of a typed pinyin, and each naming rule on each side."""

from huimin.places import rules
from huimin.places.rules import Rule

UNIQUE = Rule("unique_in_county", "")


def test_standard_pinyin_writes_the_specific_and_generic_parts_as_two_capitalised_words():
    assert rules.standard_pinyin("顺河路") == "Shunhe Lu"
    assert rules.standard_pinyin("解放大街") == "Jiefang Dajie"  # the longer generic part wins over 街
    assert rules.standard_pinyin("绿园小区") == "Lüyuan Xiaoqu"
    assert rules.standard_pinyin("天中") == "Tianzhong"  # no generic part: one word


def test_an_apostrophe_separates_a_syllable_beginning_with_a_vowel_inside_a_word():
    assert rules.standard_pinyin("西安村") == "Xi'an Cun"
    assert rules.standard_pinyin("安乐村") == "Anle Cun"  # at the start of a word: none


def test_a_typed_pinyin_is_checked_against_every_reading_of_each_character():
    assert rules.pinyin_matches("长江大道", "changjiang dadao")
    assert rules.pinyin_matches("长江大道", "Zhangjiang Dadao")  # 长 is also zhang: a reading it has
    assert not rules.pinyin_matches("长江大道", "Changjian Dadao")  # one letter short
    assert not rules.pinyin_matches("长江大道", "Changjiang Dadaolu")  # one syllable too many
    assert rules.pinyin_matches("西安村", "Xi'an Cun") and rules.pinyin_matches("西安村", "xian cun")
    assert rules.pinyin_matches("绿园", "Lüyuan") and rules.pinyin_matches("绿园", "lvyuan")


def test_a_duplicate_of_the_same_kind_in_the_county_breaks_the_rule_another_name_does_not():
    found = rules.check_name("顺河路", "道路", [UNIQUE], {"顺河路", "交通路"})
    assert [v.rule for v in found] == ["unique_in_county"]
    assert "本县（区）已有同名道路“顺河路”" in found[0].message
    assert rules.check_name("顺河东路", "道路", [UNIQUE], {"顺河路", "交通路"}) == []
    assert rules.check_name("顺河路", "道路", [], {"顺河路"}) == []  # the rule ended: no check


def test_a_forbidden_character_or_word_breaks_the_rule_a_name_without_it_does_not():
    rules_ = [Rule("forbidden_char", "囧"), Rule("forbidden_word", "皇家", "《地名管理条例》第十条")]
    assert [v.rule for v in rules_and(rules_, "囧家巷")] == ["forbidden_char"]
    found = rules_and(rules_, "皇家花园")
    assert [v.rule for v in found] == ["forbidden_word"] and "（《地名管理条例》第十条）" in found[0].message
    assert rules_and(rules_, "王家花园") == []


def test_a_reserved_name_is_refused_as_a_whole_but_may_be_part_of_a_name():
    rules_ = [Rule("reserved", "驿城")]
    assert [v.rule for v in rules_and(rules_, "驿城")] == ["reserved"]
    assert rules_and(rules_, "驿城大道") == []


def test_the_form_of_a_name_letters_symbols_and_length():
    assert [v.rule for v in rules_and([], "A区路")] == ["format"]
    assert [v.rule for v in rules_and([], "顺河 路")] == ["format"]
    assert rules_and([], "二〇一路") == [] and rules_and([], "一二三四五六七八九十一二三四五六七八九十") == []
    assert [v.rule for v in rules_and([], "一二三四五六七八九十一二三四五六七八九十一")] == ["format"]  # 21 characters
    assert rules_and([], "")[0].message == "请填写拟用名称"


def rules_and(rules_, name):
    return rules.check_name(name, "道路", rules_, set())
