// A few threads for slow work (bcrypt, SQLite writes) so the engine's loop threads never wait on it.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace heyo::edge {

class WorkerPool {
public:
    explicit WorkerPool(int threads);
    ~WorkerPool(); // finishes queued work, then joins
    void run(std::function<void()> job);

private:
    void work();
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<std::function<void()>> m_jobs;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

} // namespace heyo::edge
