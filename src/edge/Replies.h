// Small builders for the edge's own answers: JSON bodies, the JSON error shape, one-line text, HTML.
#pragma once

#include "net/Http.h"

#include <QJsonObject>

#include <cstdint>
#include <string>
#include <string_view>

namespace heyo::edge::reply {

void json(const net::ExchangePtr &ex, int status, const QJsonObject &body, net::Headers headers = {});
// {"error":{"code":…,"message":…}}; `message` must never contain a secret.
void error(const net::ExchangePtr &ex, int status, std::string_view code, std::string_view message,
           net::Headers headers = {});
void text(const net::ExchangePtr &ex, int status, std::string_view line, net::Headers headers = {});
void html(const net::ExchangePtr &ex, int status, std::string body, net::Headers headers = {});

QString isoTime(int64_t unixSeconds); // "2026-11-26T10:00:00Z"

} // namespace heyo::edge::reply
