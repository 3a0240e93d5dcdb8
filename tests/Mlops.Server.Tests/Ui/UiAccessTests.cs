using System.Net;
using Microsoft.AspNetCore.Http;
using Mlops.Server.Hosting;
using Mlops.Server.Ui.Hosting;

namespace Mlops.Server.Tests.Ui;

/// <summary>Who may see the UI: loopback without a proxy sees it; anything else brings the viewer token, unless the UI is declared open.</summary>
public sealed class UiAccessTests
{
    private const string Token = "viewer-token-1";

    [Fact]
    public void Loopback_WithNoForwardingHeader_IsAllowedWithoutAToken() =>
        Assert.Equal(UiAccessDecision.Allow, UiAccess.Decide(Request(IPAddress.Loopback), new UiOptions()));

    [Theory]
    [InlineData("X-Forwarded-For")]
    [InlineData("Forwarded")]
    [InlineData("X-Real-IP")]
    public void Loopback_ThroughAProxy_NeedsTheToken(string header)
    {
        var request = Request(IPAddress.Loopback);
        request.Headers[header] = "203.0.113.7";

        Assert.Equal(UiAccessDecision.Refuse, UiAccess.Decide(request, new UiOptions { ViewerToken = Token }));
    }

    [Fact]
    public void AnotherHost_WithNoTokenConfigured_IsRefused() =>
        Assert.Equal(UiAccessDecision.Refuse, UiAccess.Decide(Request(IPAddress.Parse("192.0.2.10")), new UiOptions()));

    [Fact]
    public void AnotherHost_WhenTheUiIsDeclaredOpen_IsAllowed() =>
        Assert.Equal(UiAccessDecision.Allow, UiAccess.Decide(Request(IPAddress.Parse("192.0.2.10")), new UiOptions { Open = true }));

    [Theory]
    [InlineData("Bearer " + Token, null, null, UiAccessDecision.Allow)]
    [InlineData(null, Token, null, UiAccessDecision.Allow)]
    [InlineData(null, null, Token, UiAccessDecision.AllowAndRemember)]
    [InlineData("Bearer wrong", null, null, UiAccessDecision.Refuse)]
    [InlineData(null, "wrong", null, UiAccessDecision.Refuse)]
    [InlineData(null, null, "wrong", UiAccessDecision.Refuse)]
    [InlineData("Basic " + Token, null, null, UiAccessDecision.Refuse)]
    [InlineData(null, null, null, UiAccessDecision.Refuse)]
    public void AnotherHost_IsAllowedOnlyWithTheRightToken(string? authorization, string? cookie, string? query, UiAccessDecision expected)
    {
        var request = Request(IPAddress.Parse("192.0.2.10"));
        if (authorization is not null)
        {
            request.Headers.Authorization = authorization;
        }

        if (cookie is not null)
        {
            request.Headers.Cookie = UiAccess.Cookie + "=" + cookie;
        }

        if (query is not null)
        {
            request.QueryString = new QueryString("?token=" + query);
        }

        Assert.Equal(expected, UiAccess.Decide(request, new UiOptions { ViewerToken = Token }));
    }

    [Fact]
    public void UnknownAddresses_AreNotLoopback()
    {
        // An in-memory test host has no addresses at all: the UI must not count that as local.
        var context = new DefaultHttpContext();
        Assert.False(UiAccess.IsLocal(context.Request));
    }

    private static HttpRequest Request(IPAddress remote)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = remote;
        context.Connection.LocalIpAddress = IPAddress.Loopback;
        return context.Request;
    }
}
