"""民法典第一千零九十三条至第一千一百零四条 and 《家庭寄养管理办法》 as pure rules: each boundary on both sides, each
refusal citing the article. The day is pinned (it is an argument: nothing here reads the clock)."""

import datetime

from huimin.children import adoption_rules as law

DAY = datetime.date(2026, 11, 20)


def adopter(**fields) -> law.Adopter:
    base = dict(birth_date=datetime.date(1980, 1, 1), sex="1", has_spouse=True, spouse_joins=True, children=0,
                able=True, health_clear=True, record_clear=True)  # fmt: skip
    return law.Adopter(**(base | fields))


def child(**fields) -> law.Child:
    base = dict(birth_date=datetime.date(2022, 5, 1), sex="1", situation="hardship", consents=False)
    return law.Child(**(base | fields))


def test_a_married_couple_adopting_a_young_child_meets_every_condition():
    assert law.check(adopter(), child(), DAY) == []


def test_the_adopter_must_be_thirty_on_the_day_of_registration():
    born = datetime.date(1996, 11, 20)  # 30 exactly on DAY
    assert law.adopter_conditions(adopter(birth_date=born), child(), DAY) == []
    reasons = law.adopter_conditions(adopter(birth_date=born), child(), DAY - datetime.timedelta(days=1))
    assert len(reasons) == 1 and "第一千零九十八条第五项" in reasons[0] and "现年 29 周岁" in reasons[0]


def test_a_childless_adopter_may_adopt_two_and_one_with_a_child_only_one():
    assert law.number_of_children(adopter(children=0), child()) == []
    assert law.number_of_children(adopter(children=1), child()) == []  # 一名子女: may adopt one (or a second)
    reasons = law.number_of_children(adopter(children=2), child())
    assert reasons and "第一千一百条" in reasons[0] and "现有子女 2 名" in reasons[0]


def test_orphans_disabled_children_and_unfound_children_of_an_institution_are_not_limited_by_number():
    many = adopter(children=3)
    assert law.number_of_children(many, child(situation="orphan")) == []
    assert law.number_of_children(many, child(disabled=True)) == []
    assert law.number_of_children(many, child(situation="unfound", institution=True)) == []
    assert law.number_of_children(many, child(situation="unfound", institution=False)) != []


def test_a_single_adopter_of_a_child_of_the_other_sex_needs_forty_years_between_them():
    single = adopter(birth_date=datetime.date(1982, 3, 15), has_spouse=False, spouse_joins=False, sex="1")
    exactly = child(sex="2", birth_date=datetime.date(2022, 3, 15))  # born on his 40th birthday
    assert law.age_gap(single, exactly) == []
    reasons = law.age_gap(single, child(sex="2", birth_date=datetime.date(2022, 3, 14)))
    assert reasons and "第一千一百零二条" in reasons[0] and "现相差 39 周岁" in reasons[0]
    # the same sex, or a married adopter: no gap required
    assert law.age_gap(single, child(sex="1", birth_date=datetime.date(2022, 3, 14))) == []
    assert law.age_gap(adopter(birth_date=datetime.date(1982, 3, 15)), child(sex="2",
                       birth_date=datetime.date(2022, 3, 14))) == []  # fmt: skip


def test_a_child_of_eight_must_consent_from_the_eighth_birthday():
    seven = child(birth_date=datetime.date(2018, 11, 21))  # 8 tomorrow
    assert law.consent(seven, DAY) == []
    eight = child(birth_date=datetime.date(2018, 11, 20))  # 8 today
    reasons = law.consent(eight, DAY)
    assert reasons and "第一千一百零四条" in reasons[0]
    assert law.consent(child(birth_date=datetime.date(2018, 11, 20), consents=True), DAY) == []


def test_only_minors_in_the_situations_of_article_1093_may_be_adopted():
    assert law.who_may_be_adopted(child(birth_date=datetime.date(2008, 11, 21)), DAY) == []  # 17, 18 tomorrow
    adult = law.who_may_be_adopted(child(birth_date=datetime.date(2008, 11, 20)), DAY)
    assert adult and "第一千零九十三条" in adult[0] and "未成年人" in adult[0]
    assert "第一千零九十三条" in law.who_may_be_adopted(child(situation="parents_alive"), DAY)[0]


def test_the_checks_and_the_spouse_of_the_adopter():
    reasons = law.adopter_conditions(adopter(able=False, health_clear=False, record_clear=False, spouse_joins=False),
                                     child(), DAY)  # fmt: skip
    assert [r.split("：")[0] for r in reasons] == [
        "不符合民法典第一千零九十八条第二项", "不符合民法典第一千零九十八条第三项",
        "不符合民法典第一千零九十八条第四项",
        "不符合民法典第一千一百零一条",
    ]  # fmt: skip


def test_a_foster_carer_is_thirty_to_sixty_five_and_a_family_takes_two_children_at_most():
    assert law.foster_carer(datetime.date(1996, 11, 20), DAY) == []  # 30 today
    assert "第八条" in law.foster_carer(datetime.date(1996, 11, 21), DAY)[0]  # 29
    assert law.foster_carer(datetime.date(1960, 11, 21), DAY) == []  # 65, 66 tomorrow
    assert "现年 66 周岁" in law.foster_carer(datetime.date(1960, 11, 20), DAY)[0]
    assert law.foster_room(1) == []
    assert "第九条" in law.foster_room(2)[0]
