// Settings: the service and its CA, start at login, which endpoints to forward at start and on which local port (a
// port another endpoint holds is refused), the router port, and which browser opens endpoints. apply() hands the new
// settings to an applier (AppController saves them and writes the autostart entry) and shows its error inline.
#pragma once

#include "AppSettings.h"

#include <QDialog>
#include <QPointer>

#include <functional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QRadioButton;
class QSortFilterProxyModel;
class QSpinBox;
class QStandardItemModel;
class QTableView;

namespace heyo::forward {
class PortAssignments;
}

namespace heyo::ui {

class EndpointModel;

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    using Applier = std::function<bool(const AppSettings &settings, QString *error)>;

    SettingsDialog(const AppSettings &current, forward::PortAssignments *ports, EndpointModel *endpoints,
                   Applier applier, QWidget *parent = nullptr);

    // The settings as the form shows them now.
    AppSettings settings() const;
    // Checks ports, applies; false with the reason shown inline (and returned in `*error`).
    bool apply(QString *error = nullptr);

    // Form access for tests.
    QLineEdit *serviceEdit() const { return m_serviceUrl; }
    QLineEdit *caFileEdit() const { return m_caFile; }
    QCheckBox *startAtLoginBox() const { return m_startAtLogin; }
    QCheckBox *routerBox() const { return m_router; }
    QSpinBox *routerPortBox() const { return m_routerPort; }
    QRadioButton *builtInBrowserButton() const { return m_builtIn; }
    // Sets an endpoint's row in the table: forwarded at start, and its port (0 = leave as assigned).
    bool setEndpointRow(const QString &slug, bool forwardAtStart, quint16 port);
    QString errorText() const;

private:
    void fillEndpoints(const AppSettings &current, EndpointModel *model);
    void showError(const QString &text);

    forward::PortAssignments *m_ports;
    Applier m_applier;
    QLineEdit *m_serviceUrl;
    QLineEdit *m_caFile;
    QCheckBox *m_startAtLogin;
    QCheckBox *m_router;
    QSpinBox *m_routerPort;
    QRadioButton *m_system;
    QRadioButton *m_builtIn;
    QStandardItemModel *m_endpoints;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLabel *m_error;
};

} // namespace heyo::ui
