// The "CA file" field of the sign-in and settings dialogs: a path to the service's CA certificate (PEM) with a
// browse button. Empty means the system certificates only.
#pragma once

#include <QWidget>

class QLineEdit;

namespace heyo::ui {

class CaFileField : public QWidget {
    Q_OBJECT
public:
    explicit CaFileField(const QString &path, QWidget *parent = nullptr);
    QLineEdit *edit() const { return m_edit; }

private:
    QLineEdit *m_edit;
};

} // namespace heyo::ui
