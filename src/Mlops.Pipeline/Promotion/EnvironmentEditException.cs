namespace Mlops.Pipeline.Promotion;

/// <summary>
/// An environment file cannot be edited as asked: it does not parse, the model or its canary is not there, or its
/// layout is one the editor does not change. The message starts with <c>path(line,col):</c> when it is about a place.
/// </summary>
/// <param name="message">What, why and what to do.</param>
public sealed class EnvironmentEditException(string message) : Exception(message);
