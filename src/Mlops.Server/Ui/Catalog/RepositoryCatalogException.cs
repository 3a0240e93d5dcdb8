namespace Mlops.Server.Ui.Catalog;

/// <summary>The catalog cannot read the repository (a run store that is not one, a folder that is not a git repository); the message says what and what to do, and the page shows it.</summary>
/// <param name="message">What is wrong, where, and what to do.</param>
/// <param name="innerException">The failure underneath.</param>
public sealed class RepositoryCatalogException(string message, Exception? innerException = null) : Exception(message, innerException);
