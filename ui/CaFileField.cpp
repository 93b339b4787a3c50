// CA file path with a browse button.
#include "CaFileField.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QToolButton>

namespace heyo::ui {

CaFileField::CaFileField(const QString &path, QWidget *parent) : QWidget(parent)
{
    m_edit = new QLineEdit(path, this);
    m_edit->setPlaceholderText(tr("System certificates only"));
    auto *browse = new QToolButton(this);
    browse->setText(tr("…"));
    browse->setToolTip(tr("Choose the service's CA certificate (PEM)"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("CA certificate"), m_edit->text(),
                                                       tr("PEM certificates (*.pem *.crt);;All files (*)"));
        if (!f.isEmpty())
            m_edit->setText(f);
    });
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_edit, 1);
    row->addWidget(browse);
    setFocusProxy(m_edit);
}

} // namespace heyo::ui
