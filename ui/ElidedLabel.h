// A one-line label that never makes its window wider: text that does not fit ends in "…" and the whole of it is in
// the tooltip (the status bar's state, whose reasons can be long).
#pragma once

#include <QLabel>

namespace heyo::ui {

class ElidedLabel : public QLabel {
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget *parent = nullptr);
    QSize minimumSizeHint() const override;
    bool isElided() const; // the text is cut at the current width

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;
};

} // namespace heyo::ui
