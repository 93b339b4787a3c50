// A growable contiguous byte buffer: append at the end, consume from the front. Used for socket input and output.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

namespace heyo::net {

class Buffer {
public:
    Buffer() = default;
    Buffer(const Buffer &) = delete;
    Buffer &operator=(const Buffer &) = delete;
    ~Buffer() { std::free(m_data); }

    const char *data() const { return m_data + m_begin; }
    size_t size() const { return m_end - m_begin; }
    bool empty() const { return m_end == m_begin; }
    size_t capacity() const { return m_cap; }

    void consume(size_t n)
    {
        m_begin += n;
        if (m_begin >= m_end)
            m_begin = m_end = 0;
    }
    void clear() { m_begin = m_end = 0; }

    // Room for at least `n` more bytes at the end; returns where to write them (then commit()).
    char *prepare(size_t n)
    {
        if (m_cap - m_end >= n)
            return m_data + m_end;
        size_t used = size();
        if (m_begin > 0 && m_cap - used >= n) { // slide down instead of growing
            std::memmove(m_data, m_data + m_begin, used);
        } else {
            size_t cap = m_cap ? m_cap : 4096;
            while (cap - used < n)
                cap *= 2;
            char *p = static_cast<char *>(std::malloc(cap));
            if (!p)
                throw std::bad_alloc();
            if (used)
                std::memcpy(p, m_data + m_begin, used);
            std::free(m_data);
            m_data = p;
            m_cap = cap;
        }
        m_begin = 0;
        m_end = used;
        return m_data + m_end;
    }
    void commit(size_t n)
    {
        m_end += n;
        m_appended += n;
    }
    uint64_t appended() const { return m_appended; } // bytes ever added: cheap per-request accounting
    size_t tailRoom() const { return m_cap - m_end; }

    void append(const char *p, size_t n)
    {
        if (!n)
            return;
        std::memcpy(prepare(n), p, n);
        m_end += n;
        m_appended += n;
    }
    void append(std::string_view s) { append(s.data(), s.size()); }
    void appendNumber(uint64_t v, int base = 10) // decimal, or 16 for chunk sizes; no locale, no printf
    {
        char *p = prepare(20);
        char *end = std::to_chars(p, p + 20, v, base).ptr;
        commit(static_cast<size_t>(end - p));
    }

    // Give memory back when a big transfer is over and the buffer is empty.
    void shrinkIfIdle(size_t keep)
    {
        if (empty() && m_cap > keep) {
            std::free(m_data);
            m_data = nullptr;
            m_cap = m_begin = m_end = 0;
        }
    }

private:
    char *m_data = nullptr;
    size_t m_cap = 0;
    size_t m_begin = 0;
    size_t m_end = 0;
    uint64_t m_appended = 0;
};

} // namespace heyo::net
