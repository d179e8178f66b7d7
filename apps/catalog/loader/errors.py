"""How the loader reports what is wrong with a catalog file."""


class CatalogError(Exception):
    """A catalog file cannot be loaded. `errors` lists every problem found,
    each as "FILE: path.to.entry[index].field: reason"."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


class ErrorList:
    """Collects problems for one file so that all of them are reported at once."""

    def __init__(self, filename: str, errors: list[str] | None = None):
        self.filename = filename
        # Shared between the catalog file and the Fides files it names, so
        # that one list comes back in the order the problems were found.
        self.errors: list[str] = [] if errors is None else errors

    def for_file(self, filename: str) -> "ErrorList":
        """A collector for another file that reports into the same list."""
        return ErrorList(filename, self.errors)

    def add(self, path: str, message: str) -> None:
        where = f"{self.filename}: {path}: " if path else f"{self.filename}: "
        self.errors.append(f"{where}{message}")

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise CatalogError(self.errors)
