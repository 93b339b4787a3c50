// Ordered, case-insensitive header list used by both sides of the engine.
#include "net/Ascii.h"
#include "net/Http.h"

#include <algorithm>

namespace heyo::net {

const std::string *Headers::find(std::string_view name) const
{
    for (const Header &h : m_list)
        if (equalsIgnoreCase(h.name, name))
            return &h.value;
    return nullptr;
}

std::vector<std::string_view> Headers::all(std::string_view name) const
{
    std::vector<std::string_view> out;
    for (const Header &h : m_list)
        if (equalsIgnoreCase(h.name, name))
            out.emplace_back(h.value);
    return out;
}

size_t Headers::count(std::string_view name) const
{
    return std::count_if(m_list.begin(), m_list.end(), [&](const Header &h) { return equalsIgnoreCase(h.name, name); });
}

void Headers::add(std::string name, std::string value)
{
    m_list.push_back({std::move(name), std::move(value)});
}

void Headers::set(std::string_view name, std::string value)
{
    remove(name);
    m_list.push_back({std::string(name), std::move(value)});
}

size_t Headers::remove(std::string_view name)
{
    return std::erase_if(m_list, [&](const Header &h) { return equalsIgnoreCase(h.name, name); });
}

std::string_view RequestHead::path() const
{
    std::string_view t = target;
    return t.substr(0, t.find('?'));
}

} // namespace heyo::net
