"""Stand-ins for what an export job writes through: a part file that keeps
its bytes, and a heartbeat that never stops the work."""


class CapturedPart:
    """Stands in for an encrypted part file: keeps the bytes written."""

    def __init__(self) -> None:
        self.data = b""
        self.writer = self
        self.size = 0

    def write(self, text: str) -> None:
        self.write_bytes(text.encode())

    def write_bytes(self, data) -> None:
        self.data += bytes(data)
        self.size = len(self.data)

    def lines(self) -> list[str]:
        return self.data.decode().splitlines()


class IdleHeartbeat:
    done = bytes = 0

    def check(self) -> None:
        pass
