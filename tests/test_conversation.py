"""Conversations that hold for four turns, on the real index: follow-ups resolved against what earlier answers
cited, a decline in the middle, and questions about the article itself."""

from __future__ import annotations

import doctest

from dataclasses import replace

import pytest

from assistant import about, conversation, query, question_types, slips
from assistant.chain import Assistant
from assistant.evaluation.answer_set import LabelledItem, LabelledTurn, direct_position, load, score
from assistant.errors import BadInput
from assistant.query import plain_question


@pytest.fixture(scope="module")
def assistant(engine) -> Assistant:
    return Assistant(engine)


def talk(assistant: Assistant, *turns: str):
    """Each turn answered with the user's earlier turns as history, as a chat client sends them."""
    answers, history = [], []
    for turn in turns:
        answers.append(assistant.answer(turn, list(history)))
        history += [{"role": "user", "content": turn}, {"role": "assistant", "content": answers[-1].text}]
    return answers


def test_an_elliptical_follow_up_is_answered_from_the_passage_the_last_answer_cited(assistant):
    bursitis, when = talk(assistant, "whats tendon bursitis", "is it worse at any particular time?")
    assert bursitis.status == when.status == "answered"
    assert "worse when lying on your injured hip" in when.text


@pytest.mark.parametrize(("first", "follow_up", "shown"), [
    # why it matters: "why bother" names no subject of its own
    ("should runners do strength training", "why bother", "helps prevent injury"),
    ("how do i warm up before running", "whats the point", "prepare your muscles"),
    # what the claim rests on, asked with a typo or as proof
    ("how often should runners strength train", "sourse for that?", "Blagrove, R. C."),
    ("how often should runners strength train", "any proof", "Blagrove, R. C."),
    ("what is piriformis syndrome", "whats the refrence for that", "Hicks, B. L."),
    # an amount asked with a typo in its unit is the amount the passage states ("dyas": days)
    ("can i still run with a sore hip or should i stop for a bit", "how many dyas", "just for a few days"),
])
def test_a_terse_follow_up_gets_what_it_asks_of_the_last_answer(assistant, first, follow_up, shown):
    answers = talk(assistant, first, follow_up)
    assert answers[1].status == "answered"
    assert shown in answers[1].text


def test_a_turn_with_no_subject_of_its_own_is_not_answered_as_if_asked_alone(assistant):
    """"How much?" after a painkiller question asks for a dose, which the article does not give. Read alone it
    has no subject, and the nearest passage (free coverage) would be a confident wrong answer: decline it, and
    keep the thread, so "what if it doesn't help" still finds what comes after painkillers."""
    tylenol, how_much, no_help = talk(assistant, "is tylenol ok for hip pain", "how much",
                                      "and what if it doesn't help")
    assert tylenol.status == "answered" and how_much.status == "declined"
    assert no_help.status == "answered" and "cortisone steroid injections" in no_help.text


def test_a_follow_up_to_a_declined_first_question_is_about_that_question(assistant):
    """When nothing has been answered yet, "how long?" is about what the user asked, even though that was
    declined: read alone it is about nothing, and found the scale-back passage's "few days"."""
    answers = talk(assistant, "i usually just start running the second im out the door. is that bad for my hips",
                   "what should i do instead", "how long")
    assert answers[2].status == "answered"
    assert "walking for five minutes" in answers[2].text


@pytest.mark.parametrize(("question", "shown"), [
    ("my son is 13, plays football and runs, and says his hip is sore near the groin after practice. what might "
     "that be?", "near the groin"),
    ('Our daughter is 13 and runs club cross country. She says her hip is "a bit achy" after long runs. We gave her '
     "ibuprofen, is that ok?", "ibuprofen (Advil, Motrin)"),
])
def test_a_parent_asking_about_a_young_runner_gets_the_answer_a_runner_would(assistant, question, shown):
    """The article answers a sore hip after practice for anyone; asked about a son or a daughter, the question
    read as near the labelled questions about children that the article leaves out, and was declined."""
    answer = assistant.answer(question)
    assert answer.status == "answered" and shown in answer.text


def test_a_question_about_a_child_s_age_is_still_declined(assistant):
    """What is safe at 12 is a question about children, which the article does not answer: the age stays."""
    assert assistant.answer("is it ok for my 12 year old son to lift weights").status == "declined"


def test_a_four_letter_word_with_two_letters_swapped_is_read_as_meant(assistant):
    rest, how_long = talk(assistant, "should i stop running when my hip hurts", "how lnog")
    assert how_long.status == "answered"
    assert "just for a few days" in how_long.text


def test_a_four_turn_conversation_keeps_its_thread_through_a_decline(assistant):
    answers = talk(assistant, "what stretches help tight hips after running",
                   "what about creatine",  # a new subject the article lacks: declined
                   "ok and which one is for the front of the hip",
                   "how often should i do them")
    assert [a.status for a in answers] == ["answered", "declined", "answered", "answered"]
    assert "Figure Four Stretch" in answers[0].text
    assert "Half Kneeling Hip Flexor Stretch" in answers[2].text
    assert "once or twice a week" in answers[3].text


@pytest.mark.parametrize(("first", "source_line", "claim"), [
    ("how many times a week should i strength train", "Blagrove, R. C.", "two to three times per week"),
    ("what causes pain in the back of the hip", "Piriformis Syndrome", "shooting pain in the back of the hip"),
    ("what is hip bursitis", "Hip Bursitis. OrthoInfo", "bursae"),
])
def test_asking_where_the_last_answer_came_from_shows_the_claim_and_the_study_it_rests_on(assistant, first,
                                                                                          source_line, claim):
    answer, source = talk(assistant, first, "where did they get that info from?")
    assert answer.status == source.status == "answered"
    assert source_line in source.text and claim in source.text.lower()
    assert any(source_line in c.quote for c in source.citations)  # the reference line itself, cited


@pytest.mark.parametrize("turns", [["where did they get the bursitis info from"],
                                   ["what is tendon bursitis", "where did they get that info"]])
def test_where_they_got_the_information_shows_the_reference(assistant, turns):
    answer = talk(assistant, *turns)[-1]
    assert answer.status == "answered" and "Hip Bursitis" in answer.text, answer.text
    assert any(c.heading_path[-1] == "References" for c in answer.citations)


def test_a_source_question_that_names_another_subject_gets_that_subjects_reference(assistant):
    """"Is there a source for bursitis too?" after the arthritis study is not about the claims just shown."""
    first, then = talk(assistant, "which study says most people with arthritis on xrays have no pain",
                       "is there a source for bursitis too")
    assert "Kim, C., Nevitt" in first.text
    assert "Hip Bursitis. OrthoInfo" in then.text and "Kim, C., Nevitt" not in then.text, then.text


def test_asking_for_the_study_behind_an_answer_that_cites_none_is_declined_not_guessed(assistant):
    exercises, source = talk(assistant, "what exercises help hip pain from running", "what study is that from?")
    assert exercises.status == "answered"
    assert source.status == "declined"


def test_where_a_figure_comes_from_shows_the_reference_it_rests_on_even_when_retrieval_found_only_the_claim(
        assistant):
    answer = assistant.answer("where does the 73% mri thing come from")
    assert answer.status == "answered"
    assert "Prevalence of abnormal hip findings in asymptomatic participants" in answer.text
    assert any(c.heading_path[-1] == "References" for c in answer.citations)


def test_when_a_study_in_the_article_was_published_is_the_study_s_year_not_the_article_s(assistant):
    answer = assistant.answer("when was the study in this article published")
    assert "Published on Mar 26, 2024" not in answer.text


def test_when_it_was_published_is_still_answered_after_a_question_about_a_study(assistant):
    _, when = talk(assistant, "how many times a week should i strength train", "when was it published")
    assert when.status == "answered" and "2024" in when.text


# The front matter's lines as an answer shows them (about.readable): "Mary Kimbrough, PT, DPT: Physical Therapist",
# "Published by Hinge Health.", "Published on Mar 26, 2024."
CLINICIAN, PUBLISHER, DATE = (", PT, DPT:", ", MD, MBA:"), "Published by", "Published on"


@pytest.mark.parametrize("question, expected", [
    ("when was this article published", "Published on Mar 26, 2024."),
    ("who reviewed it medically", "Orthopedic Surgeon and Medical Reviewer"),
    ("who publishes this", "Published by Hinge Health."),
])
def test_questions_about_the_article_itself_are_answered_from_its_front_matter_with_a_citation(
        assistant, question, expected):
    answer = assistant.answer(question)
    assert answer.status == "answered" and expected in answer.text
    assert not any(key in answer.text for key in ("published:", "publisher:", "name:", "credentials:", "role:"))
    cited = answer.citations[0]
    assert cited.heading_path[-1] == "About This Article"
    assert assistant.engine.document.text[cited.start:cited.end] == cited.quote
    assert cited.end < assistant.engine.document.blocks[0].start  # the span is the front matter itself


@pytest.mark.parametrize("turns, shown, not_shown", [
    (["who wrote this"], ["Published by Hinge Health.", "Mary Kimbrough, PT, DPT: Physical Therapist"],
     ["name:", DATE]),  # no byline: who published it, and the clinicians behind it
    (["who's behind this article"], ["Published by Hinge Health.", "Jonathan Lee, MD, MBA"], [DATE, "source_url"]),
    (["got a link to the original page? want to share it with my club"],
     ["The original article: https://www.hingehealth.com/resources/articles/hip-pain-after-running/"],
     [PUBLISHER, *CLINICIAN, "source_url:"]),
    (["what exercises strengthen the hips", "and where can i find the original article"], ["The original article:"],
     ["Clamshells"]),
    (["did a real surgeon review this or is it just some blog"],
     ["Jonathan Lee, MD, MBA", "Dr. Lee is a board-certified orthopedic surgeon"], ["Kimbrough", PUBLISHER]),
    (["which company puts this out"], ["Published by Hinge Health."], CLINICIAN),
    (["who did the medical review", "and the clinical reviewer?"],
     ["Dylan Peterson, PT, DPT", "Dr. Peterson is a Hinge Health physical therapist"], ["Jonathan Lee", "Kimbrough"]),
    (["how do i warm up", "when'd this come out"], ["Published on Mar 26, 2024."], CLINICIAN),
    (["when was this publsihed"], ["Mar 26, 2024"], [*CLINICIAN, "published:"]),
    (["who is jonathan lee"], ["Jonathan Lee", "Dr. Lee is a board-certified orthopedic surgeon"],
     ["Kimbrough", "Peterson", PUBLISHER]),
    (["who is jonathan lee", "and dylan peterson?"], ["Dr. Peterson is a Hinge Health physical therapist"],
     ["Jonathan Lee"]),
    (["who wrote this", "who else checked it"], ["Jonathan Lee", "Dylan Peterson"], ["Kimbrough"]),
    (["which physio do they keep quoting"], ["Mary Kimbrough", "Dr. Kimbrough is a Hinge Health physical therapist"],
     ["Jonathan Lee", "Peterson", PUBLISHER]),
    (["who even publishes this, is it a brand or like a hospital"], ["Published by Hinge Health."], CLINICIAN),
    (["the reviewer, jonathan lee, is he an actual surgeon"], ["Dr. Lee is a board-certified orthopedic surgeon"],
     ["Kimbrough"]),
    (["what did they say about warming up", "anyone else check it over?"], ["Jonathan Lee", "Dylan Peterson"],
     ["Kimbrough"]),
    (["anyone else check it over", "and when's it from"], ["Published on Mar 26, 2024."], [*CLINICIAN, "published:"]),
    (["which company put out this hip pain article"], ["Published by Hinge Health."], [*CLINICIAN, "says"]),
    (["who's behind this article", "did a doctor check it"], ["Jonathan Lee"], [PUBLISHER, "See a doctor"]),
    (["what site is this from"], ["Published by Hinge Health."], [*CLINICIAN, "exercise therapy"]),  # spent split 21
    (["which website is this article on"], ["Published by Hinge Health."], CLINICIAN),
    (["who's behind this article", "which one is the surgeon"], ["Jonathan Lee, MD, MBA"],  # spent split 22
     ["Kimbrough", "Peterson", PUBLISHER]),
    # a learner's word order (session 16's train_p and train_r): "X is from which website", "when X was publish"
    (["this article is from which website"], ["Published by Hinge Health."], [*CLINICIAN, "exercise therapy"]),
    (["when this article was publish?"], ["Published on Mar 26, 2024."], [*CLINICIAN, "Hinge Health’s online"]),
    (["this article is from which website", "when written"], ["Published on Mar 26, 2024."], CLINICIAN),
    (["which company make this article"], ["Published by Hinge Health."], ["Embrace a flexible mindset"]),
    (["what is it band", "who said that", "she is doctor or physio?"], ["Mary Kimbrough, PT, DPT: Physical Therapist"],
     ["Jonathan Lee"]),
    # "he" after both reviewers: the one with the role asked about; after one of them, that one
    (["did a doctor check it", "is he a surgeon"], ["Dr. Lee is a board-certified orthopedic surgeon"], ["Peterson"]),
    (["who is dylan peterson", "is he a surgeon"], ["Dr. Peterson is a Hinge Health physical therapist"],
     ["Jonathan Lee"]),
    # the article by a longer name, bare, or put out (spent splits 26-39)
    (["who put this article out"], ["Published by Hinge Health."], [*CLINICIAN, "Warm-up"]),
    (["what website/company is this from"], ["Published by Hinge Health."], [*CLINICIAN, "exercise therapy"]),
    (["when article was published"], ["Published on Mar 26, 2024."], [*CLINICIAN, "Hicks"]),
    (["when was the hinge health hip pain after running article published"], ["Published on Mar 26, 2024."],
     CLINICIAN),
    (["does the physio quoted in here actually run herself"],  # the body's introduction says so (spent split 21)
     ["Mary Kimbrough, PT, DPT, OCS, a physical therapist at Hinge Health, and an avid runner."],
     ["Jonathan Lee", "Runners who come in"]),
])
def test_who_wrote_reviewed_or_published_it_and_when_get_just_those_lines(assistant, turns, shown, not_shown):
    """Not the whole front matter, the reference list's authors, or a decline."""
    answer = talk(assistant, *turns)[-1]
    assert answer.status == "answered"
    assert all(text in answer.text for text in shown), answer.text
    assert not any(text in answer.text for text in not_shown), answer.text


def test_the_verifier_accepts_a_front_matter_line_only_as_its_cited_span_says_it(engine):
    """"Published on Mar 26, 2024." stands for the span "published: Mar 26, 2024"; another date, or the line
    cited to a span that does not hold it, is dropped before the user sees it."""
    from assistant.models import AnswerSentence, Citation
    from assistant.verify import verified

    text = engine.document.text
    def cite(line: str, number: int = 1) -> Citation:
        start = text.index(line)
        return Citation(number, "about", ("About This Article",), line, start, start + len(line), line, start, ())

    date, lee = cite("published: Mar 26, 2024"), cite("name: Jonathan Lee\n  credentials: MD, MBA", 2)
    lee = replace(lee, quote=text[lee.start:text.index("Medical Reviewer") + len("Medical Reviewer")],
                  end=text.index("Medical Reviewer") + len("Medical Reviewer"))
    said = [AnswerSentence("Published on Mar 26, 2024.", (1,)), AnswerSentence("Published on Mar 27, 2024.", (1,)),
            AnswerSentence("Jonathan Lee, MD, MBA: Orthopedic Surgeon and Medical Reviewer", (2,), is_item=True),
            AnswerSentence("Jonathan Lee, MD, MBA: Orthopedic Surgeon and Medical Reviewer", (1,), is_item=True)]
    kept, _ = verified(tuple(said), (date, lee), engine.document)
    assert [s.text for s in kept] == ["Published on Mar 26, 2024.",
                                      "Jonathan Lee, MD, MBA: Orthopedic Surgeon and Medical Reviewer"]


def test_a_question_about_a_study_or_another_subject_is_not_taken_for_one_about_the_article(assistant):
    study = assistant.answer("who wrote the study about mri abnormalities")
    assert not any(line in study.text for line in (*CLINICIAN, PUBLISHER))
    quoted = assistant.answer("which study is quoted about arthritis")
    assert not any(line in quoted.text for line in CLINICIAN)
    shoes = assistant.answer("what company makes the best running shoes")
    assert PUBLISHER not in shoes.text
    study_year = assistant.answer("what year did this study come out")
    assert DATE not in study_year.text
    link = assistant.answer("is there a link between sitting at a desk all day and hip pain")
    assert "The original article:" not in link.text
    runner = assistant.answer("is dr kimbrough a runner herself")
    assert runner.status == "answered" and not any(line in runner.text for line in (*CLINICIAN, PUBLISHER))


@pytest.mark.parametrize("question", [
    "how long should i hold the figure four stretch",  # the article gives no duration for it
    "how many sets of squats should i do per session",  # nor a number of sets
    "how many cortisone shots can you get in the hip per year",
])
def test_an_amount_the_article_does_not_give_is_declined_not_answered_with_another_amount(assistant, question):
    """ "Two to three times per week" is a frequency: it answers neither "how long" nor "how many sets"."""
    assert assistant.answer(question).status == "declined"


def test_an_amount_of_the_kind_asked_is_answered(assistant):
    rest, how_long = talk(assistant, "do i need to scale back my running", "for how long")
    assert how_long.status == "answered" and "just for a few days" in how_long.text
    assert "two to three times per week" in assistant.answer("how often should i strength train").text


def test_the_answer_starts_with_the_sentence_that_answers(assistant):
    answer = assistant.answer("how long should i ice my hip")
    assert direct_position(answer, ["20 minutes"]) == 0


def test_a_direct_answer_labelled_with_its_bullet_dashes_counts_when_those_bullets_are_shown(assistant):
    """Writers copy a run of bullets with their dashes ("- Squats\n\n- Bridges"); the answer shows the same bullets.
    A list the answer does not show still does not count."""
    answer = assistant.answer("which exercises do they recommend for hip pain")
    assert direct_position(answer, ["- Squats\n\n- Bridges\n\n- Clamshells"]) is not None
    assert direct_position(answer, ["- Bridges\n\n- Squats"]) is None


def test_the_answer_scorer_counts_what_a_runner_would_see(assistant, tmp_path):
    item = LabelledItem("c1", "conversation", (
        LabelledTurn("how long should i ice my hip", True, "amount", ("20 minutes at a time",)),
        LabelledTurn("should i take creatine", False, "yes_no", ()),
        LabelledTurn("how long should i ice my hip", True, "amount", ("a week of rest",))))  # a wrong label
    result = score([item], assistant.answer)
    figures = result.figures()
    assert figures["direct answer present (first turns)"] == (1, 1)
    assert figures["out of scope declined"] == (1, 1)
    assert figures["direct answer present (follow-ups)"] == (0, 1)
    assert figures["conversations held to the end"] == (0, 1)


def test_a_doctor_reply_showing_the_labelled_answer_is_counted_apart_not_as_an_answer(assistant):
    """The red-flag reply shows the article's "See a doctor if…" list: for a runner with a past stress fracture who
    asks whether it matters, that list is what the writer labelled. It is reported on its own line; "direct answer
    present" still wants an answer."""
    asked = "i had a stress fracture in my shin 2 years ago, does that matter for my hip pain?"
    labelled = ("See a doctor if you have a history of stress fracture injuries",)
    result = score([LabelledItem("s1", "single", (LabelledTurn(asked, True, "yes_no", labelled),)),
                    LabelledItem("s2", "single", (LabelledTurn(asked, True, "yes_no", ("20 minutes at a time",)),))],
                   assistant.answer)
    figures = result.figures()
    assert figures["answerable sent to the doctor"] == (2, 2)
    assert figures["doctor's reply shows a direct answer"] == (1, 2)
    assert figures["direct answer present (first turns)"] == (0, 2)


def test_a_labelled_file_with_a_quote_the_article_lacks_is_refused_with_its_line(assistant, tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "s1", "kind": "single", "turns": [{"text": "how long should i ice", "answerable": true, '
                    '"direct_answers": ["ice for three hours"]}]}\n')
    with pytest.raises(BadInput, match=r"line 1: the direct answer 'ice for three hours' is not in the article"):
        load(path, assistant.engine.document.text)


@pytest.mark.parametrize("module", [about, conversation, query, question_types, slips])
def test_the_examples_in_the_docstrings_hold(module):
    result = doctest.testmod(module)
    assert result.attempted and not result.failed


def test_two_swapped_letters_are_read_as_the_word_meant(assistant):
    """ "stduy" and "publsihed" are under difflib's 90 % similarity, yet the commonest slip of fast thumbs."""
    fix = assistant.engine.speller
    assert fix("what was that stduy called") == "what was that study called"
    assert fix("when was this publsihed") == "when was this published"
    assert fix("is running bad for you") == "is running bad for you"  # words it knows stay as typed
    assert "Mar 26, 2024" in assistant.answer("when was this publsihed").text


@pytest.mark.parametrize("question", ["how do i make squats harder at home", "bodyweight squats are too easy now, no gym"])
def test_an_answer_that_says_these_objects_shows_the_objects(assistant, question):
    """"Try adding these objects to a set of squats" came alone: the objects (books, a gallon of milk) are in the
    sentence before it, which now comes along (spent split 40)."""
    answer = assistant.answer(question)
    assert answer.status == "answered" and "Try adding these objects" in answer.text, answer.text
    assert "heavy books, a gallon of milk" in answer.text, answer.text


@pytest.mark.parametrize("question", ["out of people whose scans show hip arthritis, how many actually have chronic pain",
                                      "in the osteoarthritis study how many ended up with chronic pain"])
def test_how_many_of_a_group_is_answered_by_the_share_the_article_gives(assistant, question):
    """"How many actually have…" was read as asking for a count of "actually" and declined, as 24 % counts no such
    thing (untrained splits sealed42, sealed45, train_x)."""
    answer = assistant.answer(question)
    assert answer.status == "answered" and "only 24% of those" in answer.text, answer.text


def test_a_slipped_amount_word_after_how_still_asks_for_the_amount(assistant):
    """"for how lon", after asking whether to stop running: declined, as "lon" is no word of the article and too short
    for the Speller (untrained split train_z)."""
    answer = talk(assistant, "My hip flared up a bit after a hard interval session. Should I stop running completely?",
                  "for how lon")[-1]
    assert answer.status == "answered" and "just for a few days" in answer.text, answer.text
    times = talk(assistant, "how lomg shoud i ice my hip", "how many tines a day")[-1]  # a unit slipped (split 56)
    assert times.status == "answered" and "several times per day" in times.text, times.text


@pytest.mark.parametrize("lead_in", ["diff question - ", "random q but ", "on another note, ", "unrelated but "])
def test_a_lead_in_that_announces_a_new_question_does_not_hide_it(assistant, lead_in):
    """"diff question - what kind of shoes…" after a question about painkillers: the lead-in's words halved the
    question's own coverage and it was declined (spent split 12)."""
    answer = talk(assistant, "is tylenol ok for hip pain or should it be advil",
                  lead_in + "what kind of shoes should i be running in")[-1]
    assert answer.status == "answered" and "cushioned shoes" in answer.text, answer.text


def test_a_follow_up_about_the_study_just_shown_gets_that_studys_entry(assistant):
    """"What year's that from?", then "what journal?" after a reference entry: the entry shown holds both. The
    second was declined, as if the answer rested on no study (spent split 13)."""
    turns = talk(assistant, "is there actual research cited for the strength training claim", "what year's that from",
                 "what journal")
    assert all(t.status == "answered" and "Blagrove" in t.text for t in turns), [t.text for t in turns]
    assert "Silva" not in turns[1].text, turns[1].text


def test_who_says_that_names_the_clinician_quoted_in_the_last_answer_first(assistant):
    """"Who says that in the article?" after the 10% rule got another quoted passage (spent split 18); the answer
    is the sentence that names her, then who she is. An answer that quotes no one is not given a speaker."""
    rule, who = talk(assistant, "whats this 10% rule people talk about", "who says that in the article")
    assert rule.status == who.status == "answered"
    assert who.sentences[0].text.endswith("says Dr. Kimbrough."), who.text
    assert "Mary Kimbrough, PT, DPT" in who.text and "10% per week" not in who.text
    ice, who = talk(assistant, "does ice help", "who said that")
    assert "Kimbrough" not in who.text and "Orthopaedic Surgeons" in who.text, who.text


@pytest.mark.parametrize("turns, claim, attribution", [
    (("how fast can i up my milage w/o wrecking my hips", "eg?", "who says"), "A good rule of thumb", "says Dr. Kimbrough"),
    (("no dumbells at home what can i use", "what exercise w them", "whos tip is that"), "You can use items lying around",
     "Contrary to what many believe"),
])
def test_who_said_a_quotation_shown_without_its_speaker_shows_it_after_the_line_that_names_her(assistant, turns, claim,
                                                                                             attribution):
    """The last answer showed "“A good rule of thumb…”" without the sentence before it that says whose words they
    are: "who says" got that sentence alone, about overuse, not the rule asked about; "whos tip is that" was not read
    as asking who said it (untrained split train_s)."""
    who = talk(assistant, *turns)[-1]
    assert who.status == "answered" and claim in who.text and attribution in who.text, who.text
    assert who.text.index(attribution) < who.text.index(claim) and "Mary Kimbrough, PT, DPT" in who.text, who.text


def test_she_in_a_follow_up_is_the_clinician_the_conversation_last_named(assistant):
    """"Is she an ortho specialist?" after an answer quoting Dr. Kimbrough was declined (spent split 18): the
    pronoun is hers, so her bio answers. A question about what she recommends is still about running."""
    *_, specialist = talk(assistant, "whats this 10% rule people talk about", "is she an ortho specialist or just general PT")
    assert specialist.status == "answered" and "board-certified orthopedic clinical specialist" in specialist.text
    assert "Lee" not in specialist.text and "Peterson" not in specialist.text
    *_, why = talk(assistant, "whats this 10% rule people talk about", "why does she think runners skip strength work")
    assert "shy away from strength training" in why.text and CLINICIAN[0] not in why.text, why.text


@pytest.mark.parametrize("question", ["whats a good warm up before i head out",
                                      "any warm up tips before i head out the door"])
def test_a_word_that_only_looks_like_another_body_part_does_not_decline(assistant, question):
    """"Head out the door" was read as a question about a head (spent split 18)."""
    answer = assistant.answer(question)
    assert answer.status == "answered" and "high knees and butt kicks" in answer.text, answer.text


def test_ref_is_chat_shorthand_for_a_reference(assistant):
    """"What ref do they use for the bursitis part" got the treatment list and the care-team ad (spent split 18)."""
    *_, ref = talk(assistant, "what is tendon bursitis", "what ref do they use for the bursitis part")
    assert ref.status == "answered" and "Foran" in ref.text and "Apply ice" not in ref.text, ref.text


def test_when_was_it_out_and_whered_they_get_that_are_read_as_asked(assistant):
    """"And when was it out" got a bio and the ice passage; "where'd they get the info on that" after piriformis got
    the passage again instead of its reference (spent splits 19 and 20)."""
    *_, when = talk(assistant, "who's behind this article", "and when was it out")
    assert when.text.startswith(DATE) and "Kimbrough" not in when.text, when.text
    *_, source = talk(assistant, "what is piriformis syndrome", "where'd they get the info on that")
    assert "Hicks" in source.text, source.text
    assert not assistant.answer("when is it ok to go out running again").text.startswith(DATE)


def test_meds_is_chat_shorthand_for_medication(assistant):
    """"what about meds" after a question about icing was declined as a new subject the article lacks (spent split
    21): "meds" is a word the article uses, in full."""
    *_, meds = talk(assistant, "my hip is sore after my long run, what can i do at home", "how long do i ice it for",
                    "what about meds")
    assert meds.status == "answered" and "ibuprofen" in meds.text, meds.text


def test_follow_ups_about_a_count_a_study_or_a_person_just_named_are_answered(assistant):
    """"how many are in the hip" after bursae was declined for want of a number of "are"s; "what year" after a
    study got the clinicians' bios; "what are his degrees" after Dr. Lee got every bio (spent training file m)."""
    *_, count = talk(assistant, "whats a bursa", "how many are in the hip")
    assert count.status == "answered" and "Each hip has two major bursae" in count.text, count.text
    *_, year = talk(assistant, "does hip strength make you run more efficiently", "what study", "what year")
    assert "(2018)" in year.text and "Dr. Peterson" not in year.text, year.text
    *_, degrees = talk(assistant, "who is dylan peterson", "and jonathan lee?", "what are his degrees")
    assert "MD, MBA" in degrees.text and "Peterson" not in degrees.text, degrees.text


def test_a_list_question_worded_unlike_its_lead_in_still_gets_the_list(assistant):
    """"what are the main reasons…" shares no word with "Some common causes of hip pain include:"; the precedents
    that voted for every label of its bullets now vote for the lead-in too (compose._lead_in_votes)."""
    answer = assistant.answer("what are the main reasons runners get hip pain")
    items = {s.text for s in answer.sentences if s.is_item}
    assert {"Muscle strain.", "Piriformis syndrome.", "Hip osteoarthritis (OA)."} <= items, answer.text


def test_a_short_question_that_names_only_what_was_just_said_continues_it(assistant):
    """"what kind of stretches?" after the warm-up tip asks about its "dynamic stretches", not about stretching in
    general (spent split 22 got the cool-down's static stretches)."""
    *_, kind = talk(assistant, "do i really need to warm up before running", "what kind of stretches")
    assert "high knees and butt kicks" in kind.text and "static stretches" not in kind.text, kind.text


def test_who_wrote_a_review_in_the_references_is_about_that_review_not_the_article(assistant):
    """"references" and "review of" name a study as "reference" did; the article's own authorship is not asked
    (spent split 22 got the publisher and the clinicians)."""
    answer = assistant.answer("is there a general review of hip injuries in running in the references? who wrote it")
    assert "Paluska, S. A. (2005)" in answer.text and "Published by Hinge Health." not in answer.text, answer.text


def test_a_follow_up_on_a_passage_already_shown_whole_gets_the_sentence_that_answers_not_the_passage_again(assistant):
    """Issue 13's "whole 70–80-word passages come back for a narrow sub-question": the warm-up tip, shown whole
    for the first turn, came back whole for each follow-up."""
    first, kind, busy = talk(assistant, "do i really need to warm up before running", "what kind of stretches",
                             "what if i dont have time for those")
    assert "One of the advantages of running" in first.text
    for answer, said in ((kind, "high knees and butt kicks"), (busy, "Even just walking for five minutes")):
        assert said in answer.text and "One of the advantages of running" not in answer.text, answer.text
        assert answer.sentences[0].text == "Warm-up." and answer.sentences[0].is_item  # its label, as a bullet


@pytest.mark.parametrize("turns, shown, not_shown", [
    (["where does the info about bursitis come from", "link pls"],
     ["https://www.orthoinfo.org/en/diseases--conditions/hip-bursitis/"], ["The original article:"]),
    (["which reference is about hip strain", "author?"], ["Alaia, M. J"], [*CLINICIAN, PUBLISHER]),
    (["which reference is about hip strain", "year?"], ["Alaia, M. J (2020, July)"], ["Foran"]),
    (["what source do they use for the it band part", "the web address?"],
     ["https://www.hss.edu/condition-list_iliotibial-band-syndrome.asp"], ["The original article:"]),
    # the article itself, named: its own front matter still answers
    (["which reference is about hip strain", "when was this article published"], ["Published on Mar 26, 2024."],
     ["Alaia"]),
    (["what exercises help my hip", "link?"], ["The original article:"], ["orthoinfo"]),
])
def test_a_detail_asked_right_after_a_reference_entry_comes_from_that_entry(assistant, turns, shown, not_shown):
    """Session 16 (dev files train_p, train_r): after an answer that showed a reference-list entry, "link pls",
    "author?" and "year?" got the article's own address, clinicians or an unrelated entry. The entry shown holds
    its link, authors and date."""
    answer = talk(assistant, *turns)[-1]
    assert answer.status == "answered"
    assert all(text in answer.text for text in shown), answer.text
    assert not any(text in answer.text for text in not_shown), answer.text


def test_which_study_after_what_a_figure_means_is_the_study_behind_the_figure(assistant):
    """Session 17 (dev file train_s): "which study" after "so what does that mean", which followed the MRI figure,
    was declined: the answer just before it cites no study, but the one before that does. An answer with no study
    behind it at all is still declined (test above)."""
    figure, meaning, study = talk(assistant, "how many ppl have hip abnormalitys on mri with no pain",
                                  "so wat does that mean", "which study")
    assert "73%" in figure.text and "imaging findings" in meaning.text
    assert study.status == "answered"
    assert "Prevalence of abnormal hip findings in asymptomatic participants" in study.text, study.text


@pytest.mark.parametrize(("turns", "reference"), [
    (["is it normal for MRIs to show hip problems in people with no pain", "so my scan doesnt necessarily explain my pain?",
      "where's the 73% number from"], "Prevalence of abnormal hip findings in asymptomatic participants"),
    (["my doc said i have hip OA on an xray... does that mean running is done for me",
      "how many ppl with oa on scans actually have pain", "whats oa actually doing to the joint",
      "who did that 24% study"], "Association of hip pain with radiographic evidence"),
    (["im 52 and my doc said my xray shows some hip arthritis. what is OA exactly", "that sounds scary tbh, is it abnormal?",
      "does it always hurt", "what was that percentage again and from which study"],
     "Association of hip pain with radiographic evidence"),
])
def test_the_study_behind_a_figure_named_is_that_figures_study_not_the_last_answers(assistant, turns, reference):
    """Session 23 (spent splits 29, train_q, train_j): a source question that names a figure ("the 73% number",
    "that 24% study", "that percentage") got the last answer's own source (the OA definition's), or no reference
    at all: "73%" is not a word, so "where's the 73% number from" was not read as asking for a source."""
    answer = talk(assistant, *turns)[-1]
    assert answer.status == "answered"
    assert reference in answer.text, answer.text
    assert "OA is characterized" not in answer.text


@pytest.mark.parametrize("turns", [
    ["what can i take for hip pain after running", "and if the pills dont help?", "do those shots last forever"],
    ["can i take something for the hip pain", "and if those dont touch it?", "do the shots last for good?"],
    ["do steroid shots last forever?"],
    ["does ice fix it permanently"],
])
def test_whether_a_treatment_lasts_for_good_is_answered_by_the_article_s_temporarily(assistant, turns):
    """Session 23: "do those shots last forever" was declined across nine dev and held-out files by as many writers:
    the labelled questions near it ask how many weeks a shot lasts, which the article does not say. It does say the
    shots (and ice) help "temporarily", which answers whether they last."""
    answer = talk(assistant, *turns)[-1]
    assert answer.status == "answered", answer.text
    assert "temporarily" in answer.text, answer.text


@pytest.mark.parametrize("question", ["how many weeks does a cortisone shot usually last",
                                      "how long does a steroid injection last before it wears off",
                                      "do knee shots last forever", "does icing my ankle fix it permanently"])
def test_how_long_a_shot_lasts_or_another_joint_s_shot_is_still_declined(assistant, question):
    assert assistant.answer(question).status == "declined"


@pytest.mark.parametrize(("turns", "shown"), [
    (["where's the hip strains stuff sourced from", "yr?"], "(2020, July)"),
    (["where's the hip strains stuff sourced from", "yr?", "and the IT band one?", "dated?"], "(n.d.)"),
    (["got an MRI for something else and it showed hip 'abnormalities' but i barely have pain. is that weird??",
      "73% of who though, what study", "what yr"], "(2012)"),
    (["who's Jonathan Lee", "and dylan peterson?", "when did they put this out"], "Published on Mar 26, 2024."),
])
def test_a_year_asked_in_chat_shorthand_is_the_date_of_what_was_just_shown(assistant, turns, shown):
    """Session 23 (dev files train_j, sealed30): "yr?", "dated?" after a reference entry and "when did they put this
    out" after the reviewers were declined or got a reviewer's bio."""
    answer = talk(assistant, *turns)[-1]
    assert answer.status == "answered" and shown in answer.text, answer.text


@pytest.mark.parametrize(("turns", "stated"), [
    (["should I rest when my hip is hurting a bit after run", "how many days"], "just for a few days"),
    (["hip is sore. rest or keep moving, what is better?", "walking ok?", "how many days no running"],
     "just for a few days"),
    (["Can strength training make me faster", "how many days a wk"], "two to three times per week"),
])
def test_an_amount_asked_after_the_passage_that_states_it_is_answered_with_it(assistant, turns, stated):
    """Session 23 (dev files): "how many days?" after the advice to rest "just for a few days" was declined, as was
    "how many days a wk" after strength training ("wk" was not read as a week)."""
    answer = talk(assistant, *turns)[-1]
    assert answer.status == "answered" and stated in answer.text, answer.text


@pytest.mark.parametrize("turns", [
    ["my hip hurts after runs, should i rest or stretch", "what stretches", "how long do i hold it"],
    ["should I rest when my hip is hurting a bit after run", "how many weeks"],
])
def test_an_amount_the_passages_do_not_state_in_that_unit_or_for_that_subject_is_still_declined(assistant, turns):
    """The rest passage's "few days" does not say how long to hold a stretch, nor how many weeks."""
    assert talk(assistant, *turns)[-1].status == "declined"


@pytest.mark.parametrize("turns", [
    ["how many runners were in the MRI study about hip abnormalities"],
    ["how many runners did that study look at"],
    ["is it normal for MRIs to show hip problems in people with no pain", "how many ppl were in it"],
    ["what percentage of runners get hip pain"],
    ["how many marathons has dr kimbrough run"],
])
def test_a_count_the_article_never_gives_is_declined_not_answered_with_a_nearby_figure(assistant, turns):
    """Session 22's blind splits (42, 43): a study's size was answered with its finding ("73% of participants"), the
    share of runners with hip pain with "hip pain is very common", Dr. Kimbrough's marathons with a sentence that
    names a 5K and a marathon."""
    answer = talk(assistant, *turns)[-1]
    assert answer.status == "declined", answer.text


@pytest.mark.parametrize(("question", "figure"), [
    ("what percent of people with arthritis on xray have pain", "24%"),
    ("how many people had abnormalities on mri", "73%"),
    ("how many bursae are in the hip", "two major bursae"),
    ("how many strength sessions a week", "two to three times per week"),
])
def test_a_share_or_count_the_article_gives_is_still_answered(assistant, question, figure):
    answer = assistant.answer(question)
    assert answer.status == "answered" and figure in answer.text, answer.text


def test_who_medically_reviewed_it_is_the_medical_reviewer_and_his_is_then_him(assistant):
    """Session 23 (splits 27, 32, 43): "who medically reviewed this article" listed both reviewers, so "whats his
    background" then got the clinical reviewer (the last named). "Medically" names the medical reviewer."""
    who, background = talk(assistant, "who medically reviewed this article", "whats his background")
    assert "Jonathan Lee" in who.text and "Peterson" not in who.text, who.text
    assert "board-certified orthopedic surgeon" in background.text and "Peterson" not in background.text
    clinical = assistant.answer("who clinically reviewed it")
    assert "Dylan Peterson" in clinical.text and "Lee" not in clinical.text, clinical.text


def test_the_source_of_a_figure_no_answer_showed_is_found_on_its_own(assistant):
    """Session 23's spent blind split 45: "the 73% figure, what's the source for that" after questions about the
    reviewers was read with their topic and got Dr. Lee's bio."""
    *_, source = talk(assistant, "Who is behind this article — any MDs involved?", "what about the physical therapists",
                      "the 73% figure, what's the source for that")
    assert "Prevalence of abnormal hip findings in asymptomatic participants" in source.text, source.text


def test_what_year_after_a_figure_and_its_study_is_the_study_s_year(assistant):
    """Session 23, a CLI conversation for the closing note: "what year was it" after "where's the 73% from" (which
    showed the claim and its reference entry) got the article's date. The article's date is still given when asked
    for by name."""
    *_, year = talk(assistant, "do mri scans always explain hip pain", "where's the 73% from", "what year was it")
    assert "(2012)" in year.text and "Published on" not in year.text, year.text
    *_, article = talk(assistant, "do mri scans always explain hip pain", "where's the 73% from",
                       "when was this article published")
    assert article.text.startswith("Published on Mar 26, 2024."), article.text


def test_src_and_min_are_chat_shorthand(assistant):
    """Session 17 (dev file train_s): "src pls" after the strain answer was declined, and "and if i only got 5 min"
    after the warm-up tip was declined as a new subject ("min" is not a word of the article)."""
    *_, source = talk(assistant, "how do u strain a hip muscle from running", "src pls")
    assert "Alaia, M. J (2020, July). Hip Strains." in source.text, source.text
    *_, short = talk(assistant, "do i rly need to warm up b4 runs", "and if i only got 5 min")
    assert "Even just walking for five minutes" in short.text, short.text


def test_a_bare_when_after_who_published_it_is_the_publication_date(assistant):
    """Session 17 (dev file train_s): "who published this" then "when" got a reference entry and a training tip."""
    publisher, when = talk(assistant, "who published this", "when")
    assert "Hinge Health" in publisher.text
    assert when.text.startswith("Published on Mar 26, 2024."), when.text
    *_, after_body = talk(assistant, "what is bursitis", "when")
    assert "Published on" not in after_body.text


def test_an_afterthought_after_a_question_is_not_read_as_the_question(assistant):
    """Session 17 (dev file train_s): "diff between it band and bursitis? both outer hip" was answered with the
    exercise list, read off "both outer hip". A story told before the question still counts: it often holds the
    subject the question leaves out."""
    answer = assistant.answer("diff between it band and bursitis? both outer hip")
    assert "iliotibial" in answer.text.lower() and "Bursae" in answer.text, answer.text
    assert "Clamshells" not in answer.text
    story = assistant.answer("dont have a diagnosis yet and kinda stressing. can i still do stuff to get better and "
                             "keep running or do i need to know exactly whats wrong first")
    assert story.status == "answered" and "no diagnosis at all" in story.text, story.text


def test_what_a_condition_feels_like_is_asked_of_the_condition_just_discussed(assistant):
    """"what i will feel?" names nothing of its own: feeling is what the strain just explained does, not a subject."""
    *_, feel = talk(assistant, "my physio say i have hip strain. what mean strain?", "it come from running?",
                    "what i will feel?")
    assert feel.status == "answered"
    assert "swelling, muscle weakness, or stiffness" in feel.text
    assert conversation.is_follow_up("what i will feel?") and not conversation.is_follow_up("does foam rolling feel good")


def test_a_follow_up_made_of_time_words_keeps_the_thread_for_the_turn_after_it(assistant):
    """"every day later?" names no subject: read alone it was answered off its own words and became the topic, so
    "who recommend them" after it was declined."""
    *_, who = talk(assistant, "which exercises article give for hip pain", "how often", "every day later?",
                   "who recommend them")
    assert who.status == "answered"
    assert "recommended by Hinge Health physical therapists" in who.text
    assert conversation.is_follow_up("every day later?") and not conversation.is_follow_up("is walking every day good")


def test_who_says_a_saying_of_the_publishers_team_is_that_team_and_a_quoted_clinician_still_comes_first(assistant):
    """"who says that" after 'movement is medicine' was declined as resting on no study; the article gives it to
    the Hinge Health care team. A quote in the passages shown is still its clinician's, not the team's."""
    _, who = talk(assistant, "what does 'movement is medicine' mean", "who says that")
    assert who.status == "answered" and "As our Hinge Health care team says, movement is medicine." in who.text
    *_, quoted = talk(assistant, "I've got a half marathon in 6 weeks and my hip is sore after long runs. Should I "
                      "stick to my training plan no matter what?", "wont i lose fitness and blow the race though",
                      "who said that")
    assert "says Dr. Kimbrough" in quoted.text and "Hinge Health physical therapists recommend" not in quoted.text


@pytest.mark.parametrize(("turns", "shown"), [
    (["my hip is sore after long runs, what can i do", "ok. anything i should do before i head out"],
     "dynamic stretches such as high knees and butt kicks"),
    (["took 2 months off, hips were sore", "and before each run?"], "dynamic stretches such as high knees"),
    (["what should i do after a run"], "cool down before suddenly stopping movement"),
    (["before a run should i do the hold-it-for-30-seconds stretches or the moving around kind"],
     "dynamic stretches such as high knees"),
])
def test_what_to_do_before_or_after_a_run_is_the_warm_up_or_the_cool_down(assistant, turns, shown):
    """Session 24 (dev files train_u, train_v, sealed45, train_o): "anything i should do before i head out" got the
    ice passage, "and before each run?" the cool down, "what should i do after a run" scaling back."""
    answer = talk(assistant, *turns)[-1]
    assert answer.status == "answered" and shown in answer.text, answer.text


@pytest.mark.parametrize("question", ["should i eat before a run", "what should i eat after a run"])
def test_food_before_or_after_a_run_is_still_declined(assistant, question):
    """Before and after a run mean the warm-up and the cool down only when something is to be done then."""
    assert assistant.answer(question).status == "declined"


@pytest.mark.parametrize(("turns", "shown", "not_shown"), [
    (["what are the common causes of hip pain in runners", "the first one, what is it"], "Muscle strain.",
     "IT (Iliotibial) band syndrome"),
    (["how do i stop hip pain from coming back", "the 4th one, how?"], "Cool down.", "Strength train."),
    (["what can i do at home for my sore hip", "tell me more about the second one"], "Apply ice.", "Tylenol"),
])
def test_the_second_one_is_the_second_thing_the_last_answer_listed(assistant, turns, shown, not_shown):
    """Session 24: "the last one you said", "and the second one" after a list were read on their words alone: the
    place in the list named nothing, so they were declined or got whatever passage their other words matched."""
    answer = talk(assistant, *turns)[-1]
    assert answer.status == "answered" and shown in answer.text and not_shown not in answer.text, answer.text


@pytest.mark.parametrize(("turns", "shown"), [
    (["i have hip arthritis", "does that mean my running days are over"], "keep running"),
    (["my physio says pain is never just one thing. does the article say same?"], "combination of factors"),
    (["why does my hip hurt after running", "so its not just one thing"], "combination of factors"),
    (["why do hips even hurt after running, this is so annoying", "thats vague. name the usual suspects"],
     "Tight hip flexor muscles."),
    (["why do my hips hurt after long runs", "list the usual culprits"], "Tendon bursitis"),
])
def test_a_runner_s_own_words_for_what_the_article_says(assistant, turns, shown):
    """Session 24 (dev files train_u, train_v, train_t): "are my running days over", "not just one thing" are the
    article's "keep running" and "combination of factors"; texting spellings ("nite", "cn", "doc") are words.
    Session 27 (dev files train_y, train_aa): "the usual suspects" are the article's "most common causes"."""
    answer = talk(assistant, *turns)[-1]
    assert answer.status == "answered" and shown in answer.text, answer.text


@pytest.mark.parametrize(("turns", "shown"), [
    (["my daughter runs cross country and her hip aches after long runs", "can she keep running on it"],
     "You can always do something to improve your hip pain and keep running"),
    (["my daughter's hip hurts after track", "how long should she rest it for"], "Scale back for a short period."),
])
def test_he_and_she_after_a_runner_in_the_users_care_are_that_runner(assistant, turns, shown):
    """Session 27 (dev files sealed41, sealed43, train_ab…): "what can he do at home for it" after "my son's hip
    hurts" was declined: the first turn was read as the runner's own question, the follow-up still about "him"."""
    answer = talk(assistant, *turns)[-1]
    assert answer.status == "answered" and shown in answer.sentences[0].text, answer.text


def test_texting_spellings_of_everyday_words_are_read_as_the_words(assistant):
    """Session 24 (dev file train_u): "or cn i just walk" after the warm-up was declined: "cn" is too short for the
    speller, so the question had no verb the article uses."""
    *_, walk = talk(assistant, "hi knees n butt kicks b4 a run, do they actualy do anything 4 ur hips",
                    "or cn i just walk")
    assert walk.status == "answered" and "Even just walking for five minutes" in walk.text, walk.text
    assert plain_question("ok what about at nite, cn i see a doc") == "ok what about at night, can i see a doctor"


@pytest.mark.parametrize(("question", "shown"), [
    ("On a different note, is Tylenol all right to take for it?", "acetaminophen (Tylenol) can be helpful"),
    ("what kind of ground is kindest on the hips to run on", "more forgiving running surfaces"),
    ("does core work matter for hips", "core exercises (to support the hips from above)"),
    ("i usually just stop my watch and walk inside. should i be stretching when i finish",
     "cool down before suddenly stopping movement"),
    ("what should i do to get my hips loose right before i head out, like moving stuff not just standing there",
     "dynamic stretches such as high knees"),
])
def test_a_runner_s_word_for_a_thing_the_article_names_otherwise(assistant, question, shown):
    """Session 24 (fresh dev files train_w, train_x, train_v): a drug by its brand, "ground", "core work", stopping
    dead at the door were declined or got another passage."""
    answer = assistant.answer(question)
    assert answer.status == "answered" and shown in answer.text, answer.text


@pytest.mark.parametrize("question", ["whats the difference between advil and aleve, which one works faster",
                                      "can i take tylenol and advil together", "whats the max dose of advil",
                                      "why does it hurt more when i stop running than when im actually running"])
def test_two_drugs_a_dose_or_a_pain_when_stopping_are_not_read_as_pain_relievers_or_the_cool_down(assistant, question):
    """Which of two drugs, both together and a dose are not in the article; "hurts more when i stop" is the hip
    flexor's sign, not a question about stopping dead."""
    answer = assistant.answer(question)
    if "stop running" in question:
        assert answer.status == "answered" and "You may notice this pain more when you stop running" in answer.text
    else:
        assert answer.status == "declined", answer.text


@pytest.mark.parametrize(("question", "named", "not_named"), [
    ("who's the surgeon that checked this article over", "Jonathan Lee", "Dylan Peterson"),
    ("which physical therapist reviewed it", "Dylan Peterson", "Kimbrough"),
    ("which doctor checked it", "Jonathan Lee", "Dylan Peterson"),
])
def test_the_reviewer_asked_for_by_role_is_that_reviewer(assistant, question, named, not_named):
    """Session 24 (fresh dev file train_w): "the surgeon that checked this article" listed both reviewers, and "which
    physical therapist reviewed it" got Dr. Kimbrough, who wrote nothing of the review."""
    answer = assistant.answer(question)
    assert answer.status == "answered" and named in answer.text and not_named not in answer.text, answer.text
