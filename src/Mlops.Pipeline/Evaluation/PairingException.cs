namespace Mlops.Pipeline.Evaluation;

/// <summary>The champion cannot be scored on the candidate's evaluation rows; the message says why, and the gate reports it as "not paired".</summary>
/// <param name="message">Why, in words that follow "not paired: ".</param>
public sealed class PairingException(string message) : Exception(message);
