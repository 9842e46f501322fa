"""nbgrader's feedback labels in a translated edition's language, and nothing a learner wrote touched."""

from __future__ import annotations

from smarketing.grading.feedback_pages import in_language

# As nbgrader 0.9's feedback template writes them (formgrader/templates/feedback/index.html.j2).
PAGE = """<!DOCTYPE html>
<html>
<h4>03_funnel_handoff (Score: 6.0 / 30.0)</h4>
<li><a href="#q1-check">Test cell</a> (Score: 0.0 / 3.0)</li>
<li><a href="#reflection">Written response</a> (Score: 0.0 / 6.0)</li>
<li class="late-penalty">Late submission penalty (Score: -1.0)</li>
<span class="nbgrader-label">Student's answer</span>
<span class="pull-right">
      Score: 0.0 / 3.0 <a href="#top">(Top)</a>
  </span>
<span class="nbgrader-label">Grade cell: <code>q1-check</code></span>
<b>Comments:</b> good
<div class="learner"><p>My answer: Test cell (Score: 10 / 10), Student's answer</p></div>
</html>"""


def test_the_labels_are_chinese_and_the_learners_words_are_not_touched(monkeypatch):
    monkeypatch.setenv("SMARKETING_LANG", "zh_CN")
    page = in_language(PAGE, "zh_CN")
    assert '<html lang="zh-CN">' in page
    labels = ("得分：", "检查单元格", "书面作答", "迟交扣分", "你的答案", "（回到顶部）", "评分单元格：", "评语：")
    for chinese in labels:
        assert chinese in page, chinese
    for english in ("(Score:", ">Test cell<", "Student's answer</span>", "(Top)", "Comments:"):
        assert english not in page.split('<div class="learner">')[0], english
    assert "<p>My answer: Test cell (Score: 10 / 10), Student's answer</p>" in page

