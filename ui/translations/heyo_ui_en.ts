<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>heyo::ui::AppController</name>
    <message numerus="yes">
        <location filename="../AppController.cpp" line="183"/>
        <source>%1 is on the clipboard; it is cleared in %n second(s).</source>
        <translation>
            <numerusform>%1 is on the clipboard; it is cleared in %n second.</numerusform>
            <numerusform>%1 is on the clipboard; it is cleared in %n seconds.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../AppController.cpp" line="263"/>
        <source>%n account(s) signed in</source>
        <translation>
            <numerusform>%n account signed in</numerusform>
            <numerusform>%n accounts signed in</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>heyo::ui::CopyTokenAction</name>
    <message numerus="yes">
        <location filename="../CopyTokenAction.cpp" line="76"/>
        <source>Anyone holding it can reach your private endpoints for the next %n minute(s).</source>
        <translation>
            <numerusform>Anyone holding it can reach your private endpoints for the next %n minute.</numerusform>
            <numerusform>Anyone holding it can reach your private endpoints for the next %n minutes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../CopyTokenAction.cpp" line="80"/>
        <source>The clipboard is cleared after %n second(s).</source>
        <translation>
            <numerusform>The clipboard is cleared after %n second.</numerusform>
            <numerusform>The clipboard is cleared after %n seconds.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>heyo::ui::EndpointModel</name>
    <message numerus="yes">
        <location filename="../EndpointModel.cpp" line="323"/>
        <source>%1 of %n forwarded</source>
        <translation>
            <numerusform>%1 of %n forwarded</numerusform>
            <numerusform>%1 of %n forwarded</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../EndpointModel.cpp" line="324"/>
        <source>%n endpoint(s)</source>
        <translation>
            <numerusform>%n endpoint</numerusform>
            <numerusform>%n endpoints</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>heyo::ui::EndpointsWindow</name>
    <message numerus="yes">
        <location filename="../EndpointsWindow.cpp" line="284"/>
        <source>%n endpoint(s)</source>
        <translation>
            <numerusform>%n endpoint</numerusform>
            <numerusform>%n endpoints</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../EndpointsWindow.cpp" line="284"/>
        <source>%n device(s)</source>
        <translation>
            <numerusform>%n device</numerusform>
            <numerusform>%n devices</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../EndpointsWindow.cpp" line="286"/>
        <source>%n forwarded</source>
        <translation>
            <numerusform>%n forwarded</numerusform>
            <numerusform>%n forwarded</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../EndpointsWindow.cpp" line="291"/>
        <source>%n shown</source>
        <translation>
            <numerusform>%n shown</numerusform>
            <numerusform>%n shown</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>heyo::ui::TrayController</name>
    <message numerus="yes">
        <location filename="../TrayController.cpp" line="118"/>
        <source>Heyo Access: forwarding %n endpoint(s)</source>
        <translation>
            <numerusform>Heyo Access: forwarding %n endpoint</numerusform>
            <numerusform>Heyo Access: forwarding %n endpoints</numerusform>
        </translation>
    </message>
</context>
</TS>
