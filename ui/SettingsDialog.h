// Settings: the service and its CA, start at login, which endpoints to forward at start and on which local port (a
// port another endpoint holds is refused), each endpoint's allowed browser origins, the router port, and which browser
// opens endpoints. apply() records ports and origins, hands the rest to an applier (AppController saves it, writes the
// autostart entry and gives running forwards their new origins) and shows any error inline.
#pragma once

#include "AppSettings.h"

#include <QDialog>
#include <QPointer>

#include <functional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QRadioButton;
class QSortFilterProxyModel;
class QSpinBox;
class QStandardItemModel;
class QTableView;

namespace heyo::forward {
class AllowedOrigins;
class PortAssignments;
} // namespace heyo::forward

namespace heyo::ui {

class EndpointModel;

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    using Applier = std::function<bool(const AppSettings &settings, QString *error)>;

    // `ports`, `origins`: may be null (then nothing is recorded there).
    SettingsDialog(const AppSettings &current, forward::PortAssignments *ports, forward::AllowedOrigins *origins,
                   EndpointModel *endpoints, Applier applier, QWidget *parent = nullptr);

    // The endpoint table shows whole rows: all of them up to this many, then it scrolls.
    static constexpr int kMinTableRows = 3;
    static constexpr int kMaxTableRows = 8;

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
    QTableView *endpointTable() const { return m_table; }
    // The allowed-origins editor, for the endpoint selected in the table.
    bool selectEndpoint(const QString &slug);
    QLabel *originsLabel() const { return m_originsLabel; }
    QListWidget *originList() const { return m_originList; }
    QLineEdit *originEdit() const { return m_originEdit; }
    QPushButton *addOriginButton() const { return m_addOrigin; }
    QPushButton *removeOriginButton() const { return m_removeOrigin; }
    // The origins the form shows for `slug` (not yet saved until apply()).
    QStringList originsShown(const QString &slug) const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void fillEndpoints(const AppSettings &current, EndpointModel *model);
    void showError(const QString &text);
    QWidget *buildOriginsEditor(QWidget *parent);
    void fitTableHeight();
    int selectedRow() const; // in m_endpoints, -1 for none
    void showOriginsOf(int row);
    void setRowOrigins(int row, const QStringList &origins);
    void addOrigin();
    void removeOrigins();

    forward::PortAssignments *m_ports;
    forward::AllowedOrigins *m_origins;
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
    QLabel *m_originsLabel;
    QListWidget *m_originList;
    QLineEdit *m_originEdit;
    QPushButton *m_addOrigin;
    QPushButton *m_removeOrigin;
    QLabel *m_error;
};

} // namespace heyo::ui
