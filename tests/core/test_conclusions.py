"""One Conclusion vocabulary: the engine's rules, its reports, manual reports and the workflow share it."""

from huimin.assistance import models as assistance_models
from huimin.core.conclusions import Conclusion
from huimin.engine import verification as engine
from huimin.verification import models as verification_models


def test_there_is_one_conclusion_enum_and_the_engine_speaks_it():
    assert assistance_models.Conclusion is Conclusion and verification_models.Conclusion is Conclusion
    assert {engine.ELIGIBLE, engine.INELIGIBLE, engine.VISIT} == set(Conclusion.values)
    assert dict(Conclusion.choices)[engine.INELIGIBLE] == "不符合"
    field = verification_models.Report._meta.get_field("conclusion")
    assert field.choices == assistance_models.ManualVerification._meta.get_field("conclusion").choices
